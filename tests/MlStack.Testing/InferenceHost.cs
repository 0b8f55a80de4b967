extern alias inference;

using System.Globalization;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using inference::MlStack.Inference.Repository;
using inference::MlStack.Inference.V1;
using inference::MlStack.Inference.V2;

namespace MlStack.Testing;

/// <summary>
/// The real Inference.Grpc service in this process, on Kestrel at free loopback ports, over a model repository
/// (the shipped one by default; fixtures compose their own). Ready when its /health says so, unless a fixture
/// waits for something else. Its DI container is open to the tests through <see cref="Services"/>.
/// </summary>
public class InferenceHost : IAsyncLifetime
{
    public const string MiniLm = MiniLmModelInstaller.ModelName;
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    private WebApplicationFactory<inference::Program>? _factory;

    /// <summary>The keys the service is started with; <see cref="Channel"/> and <see cref="Http"/> send the API key.</summary>
    public string ApiKey { get; } = NewKey("api");
    public string AdminKey { get; } = NewKey("admin");

    public int GrpcPort { get; } = FreePort.Next();
    public int HttpPort { get; } = FreePort.Next();
    public GrpcChannel Channel { get; private set; } = null!;
    private GrpcChannel? _adminChannel;
    public HttpClient Http { get; private set; } = null!;
    public GRPCInferenceService.GRPCInferenceServiceClient Inference { get; private set; } = null!;

    /// <summary>The KServe client with the admin key: repository control (RepositoryModelLoad/Unload).</summary>
    public GRPCInferenceService.GRPCInferenceServiceClient Admin { get; private set; } = null!;
    public Embeddings.EmbeddingsClient Embeddings { get; private set; } = null!;
    public TextGeneration.TextGenerationClient TextGeneration { get; private set; } = null!;
    public IServiceProvider Services => _factory?.Services ?? throw new InvalidOperationException("The host is not started.");

    /// <summary>The repository the service serves; the shipped one (tiny-gpt and MiniLM) unless overridden.</summary>
    public virtual string RepositoryPath => RepositoryPaths.DefaultModelRepository;

    /// <summary>Settings on top of the service's own and of the host's (ports, repository, one ORT thread per operator).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    /// <summary>Extracts all-MiniLM-L6-v2 into the shipped repository once (it is large: fixtures link to it).</summary>
    public static string EnsureMiniLm()
    {
        lock (typeof(InferenceHost))
        {
            new MiniLmModelInstaller(NullLogger<MiniLmModelInstaller>.Instance).EnsureInstalled(RepositoryPaths.DefaultModelRepository);
        }
        return Path.Combine(RepositoryPaths.DefaultModelRepository, MiniLm);
    }

    public virtual async Task InitializeAsync()
    {
        EnsureMiniLm();
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{HttpPort}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{GrpcPort}",
            ["ModelRepository:Path"] = RepositoryPath,
            ["Execution:IntraOpNumThreads"] = "1",
            ["Inference:ApiKey"] = ApiKey,
            ["Inference:AdminKey"] = AdminKey,
        };
        foreach (var (key, value) in Settings) settings[key] = value;

        _factory = new WebApplicationFactory<inference::Program>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        });
        _factory.UseKestrel();
        _factory.StartServer();

        Channel = OpenChannel(ApiKey);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}") };
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
        Inference = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
        _adminChannel = OpenChannel(AdminKey);
        Admin = new GRPCInferenceService.GRPCInferenceServiceClient(_adminChannel);
        Embeddings = new Embeddings.EmbeddingsClient(Channel);
        TextGeneration = new TextGeneration.TextGenerationClient(Channel);
        await WaitUntilReadyAsync();
    }

    /// <summary>A channel to the service that sends this key on every call ("authorization: Bearer"), or none when null.</summary>
    public GrpcChannel OpenChannel(string? key) => KeyedChannel.Open(new Uri($"http://127.0.0.1:{GrpcPort}"), key);

    /// <summary>A fresh random key of at least the 16 characters the service asks for.</summary>
    public static string NewKey(string purpose) => $"{purpose}-{Guid.NewGuid():N}";

    /// <summary>By default: until /health answers 200 (every model loaded). Fixtures with a broken model wait for less.</summary>
    protected virtual async Task WaitUntilReadyAsync()
    {
        var last = await Polling.UntilAsync(ReadinessAsync, r => r.Ready, StartTimeout, TimeSpan.FromMilliseconds(100));
        if (!last.Ready) throw new TimeoutException($"Inference.Grpc was not ready within {StartTimeout.TotalSeconds:F0} s: {last.Report}");
    }

    private async Task<(bool Ready, string Report)> ReadinessAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/health");
            return (response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException e)
        {
            return (false, e.Message);
        }
    }

    public virtual async Task DisposeAsync()
    {
        Channel?.Dispose();
        _adminChannel?.Dispose();
        Http?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
    }

    /// <summary>Copies a folder tree (fixture models into a temporary repository).</summary>
    public static void CopyDirectory(string source, string target)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
    }

    /// <summary>Configuration lines naming the models loaded at start (and required for readiness).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> StartupModels(params string[] models) =>
        models.Select((model, i) => new KeyValuePair<string, string?>($"ModelRepository:Models:{i.ToString(CultureInfo.InvariantCulture)}", model));
}
