using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MlStack.Inference.Generation;
using MlStack.Inference.Repository;
using MlStack.Inference.V2;

namespace MlStack.Inference.Tests.Serving;

/// <summary>
/// The real Inference.Grpc service on Kestrel, on free loopback ports, over a temporary model repository that
/// holds the real all-MiniLM-L6-v2 (extracted from its package into the default repository and linked), the
/// tiny tensor test model and a broken model.
/// </summary>
public class InferenceServer : IAsyncLifetime
{
    public const string MiniLm = MiniLmModelInstaller.ModelName;
    public const string TinyTensor = "tiny-tensor";
    public const string Broken = "broken";
    public const int MaxReceiveMessageSize = 1024 * 1024;

    private WebApplicationFactory<Program>? _factory;

    public string RepositoryPath { get; } = Directory.CreateTempSubdirectory("mlstack-models-").FullName;
    public int GrpcPort { get; private set; }
    public int HttpPort { get; private set; }
    public GrpcChannel Channel { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public GRPCInferenceService.GRPCInferenceServiceClient Inference { get; private set; } = null!;
    public V1.Embeddings.EmbeddingsClient Embeddings { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;

    /// <summary>Models loaded at start; readiness waits for all of them.</summary>
    protected virtual string[] StartupModels => [MiniLm, TinyTensor];

    protected virtual bool ExpectReady => true;

    public static string SolutionDirectory
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MlStack.sln"))) directory = directory.Parent;
            return directory?.FullName ?? throw new InvalidOperationException("MlStack.sln not found above the test output.");
        }
    }

    /// <summary>The service's default repository, where the MiniLM model is extracted on first start.</summary>
    public static string DefaultRepository => Path.Combine(SolutionDirectory, "Inference.Grpc", "models");

    public static string EnsureMiniLm()
    {
        lock (typeof(InferenceServer))
        {
            new MiniLmModelInstaller(NullLogger<MiniLmModelInstaller>.Instance).EnsureInstalled(DefaultRepository);
        }
        return Path.Combine(DefaultRepository, MiniLm);
    }

    public virtual async Task InitializeAsync()
    {
        Directory.CreateSymbolicLink(Path.Combine(RepositoryPath, MiniLm), EnsureMiniLm());
        CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models"), RepositoryPath);
        // The text-generation fixture gets the shipped tiny-gpt weights, so the generator side loads a real model.
        Directory.CreateSymbolicLink(Path.Combine(RepositoryPath, "tiny-generator", "1"), Path.Combine(DefaultRepository, "tiny-gpt", "1"));

        GrpcPort = FreePort();
        HttpPort = FreePort();
        var settings = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{HttpPort}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{GrpcPort}",
            ["ModelRepository:Path"] = RepositoryPath,
            ["ModelRepository:InstallDefaultModel"] = "false",
            ["Grpc:MaxReceiveMessageSize"] = MaxReceiveMessageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Execution:IntraOpNumThreads"] = "1",
        };
        for (var i = 0; i < StartupModels.Length; i++) settings[$"ModelRepository:Models:{i}"] = StartupModels[i];

        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment("Testing");
            host.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
        });
        _factory.UseKestrel();
        _factory.StartServer();

        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{GrpcPort}", new GrpcChannelOptions { MaxSendMessageSize = null });
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}") };
        Inference = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
        Embeddings = new V1.Embeddings.EmbeddingsClient(Channel);

        var repository = Services.GetRequiredService<ModelRepository>();
        // Text-generation models load beside the repository's own; readiness waits for both.
        var generators = Services.GetRequiredService<GeneratorCatalog>();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!repository.StartupComplete || !generators.WhenLoaded.IsCompleted || (ExpectReady && !repository.IsReady))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("Models did not load: " + string.Join("; ", repository.Index()));
            await Task.Delay(50);
        }
    }

    public virtual async Task DisposeAsync()
    {
        Channel?.Dispose();
        Http?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        try
        {
            Directory.Delete(RepositoryPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
    }
}

/// <summary>Shared by the test classes that need a healthy server (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<InferenceServer>
{
    public const string Name = "inference server";
}

/// <summary>A server whose configured models include one that cannot load.</summary>
public sealed class ServerWithBrokenModel : InferenceServer
{
    protected override string[] StartupModels => [MiniLm, Broken];

    protected override bool ExpectReady => false;
}
