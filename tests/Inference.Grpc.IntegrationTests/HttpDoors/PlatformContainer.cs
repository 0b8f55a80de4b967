using System.Globalization;
using Grpc.Net.Client;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.HttpDoors;

/// <summary>
/// The service as a cloud platform runs its container: a separate process started with the platform's environment
/// variables and told its HTTP port only through them, over a model folder laid out as the platform provides it (a
/// generator under a name only that folder has, MiniLM, the tiny tensor model). What the platform sets is up to the
/// fixture (<see cref="Configure"/>).
/// </summary>
public abstract class PlatformContainer : IAsyncLifetime
{
    private readonly TestDirectory _root = new("mlstack-platform-");
    private GrpcChannel? _channel;

    /// <summary>A generator that exists only in the platform's folder: answers from it prove the folder is served.</summary>
    public abstract string Generator { get; }

    public InferenceProcess Process { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public TextGeneration.TextGenerationClient TextGeneration { get; private set; } = null!;

    protected string Root => _root.Path;

    /// <summary>The model folder under <see cref="Root"/>, and the settings and environment variables the platform gives.</summary>
    protected abstract (string ModelFolder, Dictionary<string, string> Settings) Configure(InferenceProcess process);

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["HttpDoors:PlatformListenHost"] = "127.0.0.1",
            ["Execution:Provider"] = "cpu",
            ["Execution:IntraOpNumThreads"] = "1",
            // As the published SageMaker and Vertex AI descriptors start it: the platform authenticates callers (IAM) and
            // passes no key of ours, and the service is told so explicitly.
            ["Inference:ApiKey"] = "",
            ["Inference:RequireApiKey"] = "false",
        };
        Process = new InferenceProcess(settings) { HttpPortFromEnvironment = true };
        var (folder, platform) = Configure(Process);
        foreach (var (key, value) in platform) settings[key] = value;
        ComposeModels(folder, Generator);

        await Process.StartAsync(InferenceHost.StartTimeout);
        Http = new HttpClient { BaseAddress = Process.HttpAddress };
        _channel = Process.OpenChannel();
        TextGeneration = new TextGeneration.TextGenerationClient(_channel);
    }

    /// <summary>What a platform's model artifact holds here: the generator, MiniLM and the tiny tensor model.</summary>
    public static void ComposeModels(string folder, string generator)
    {
        Directory.CreateDirectory(folder);
        Directory.CreateSymbolicLink(Path.Combine(folder, generator), Path.Combine(RepositoryPaths.DefaultModelRepository, "tiny-gpt"));
        Directory.CreateSymbolicLink(Path.Combine(folder, InferenceHost.MiniLm), InferenceHost.EnsureMiniLm());
        InferenceHost.CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "tiny-tensor"), Path.Combine(folder, "tiny-tensor"));
    }

    protected static string Port(InferenceProcess process) => process.HttpPort.ToString(CultureInfo.InvariantCulture);

    /// <summary>The greedy continuation the gRPC API gives, to compare the platform door's answer with.</summary>
    public async Task<string> GrpcGreedyAsync(string prompt, int maxNewTokens)
    {
        var (text, _, _) = await TextGeneration.Generate(new GenerateRequest
        {
            Model = Generator,
            Prompt = prompt,
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = maxNewTokens },
        }).CollectAsync();
        return text;
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        _channel?.Dispose();
        if (Process is not null) await Process.DisposeAsync();
        _root.Dispose();
    }
}
