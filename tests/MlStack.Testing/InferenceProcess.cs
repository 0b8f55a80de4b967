namespace MlStack.Testing;

/// <summary>
/// The real Inference.Grpc service, run from its build output as a separate process on free loopback ports;
/// ready when its /health answers. Settings are passed as command-line configuration.
/// </summary>
public sealed class InferenceProcess(IReadOnlyDictionary<string, string>? settings = null, string? echoPrefix = null) : IAsyncDisposable
{
    /// <summary>The embedding model is extracted once into this shared folder, not into the build output.</summary>
    public static string SharedModelRepository { get; } = Path.Combine(Path.GetTempPath(), "mlstack-test-models");

    /// <summary>What most callers need: the MiniLM embedding model, loaded at start, in the shared repository.</summary>
    public static IReadOnlyDictionary<string, string> EmbeddingOnly { get; } = new Dictionary<string, string>
    {
        ["ModelRepository:Path"] = SharedModelRepository,
        ["ModelRepository:Models:0"] = "all-MiniLM-L6-v2",
    };

    private ChildProcess? _process;

    /// <summary>
    /// The API key the service is started with, unless the settings name their own (Inference:ApiKey); empty there for
    /// none, as behind a platform that authenticates callers itself (with Inference:RequireApiKey=false).
    /// </summary>
    public string ApiKey { get; } = settings?.GetValueOrDefault("Inference:ApiKey") ?? InferenceHost.NewKey("api");

    public int HttpPort { get; } = FreePort.Next();
    public int GrpcPort { get; } = FreePort.Next();
    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");
    public Uri HttpAddress => new($"http://127.0.0.1:{HttpPort}");
    public string Output => _process?.Output ?? "";

    /// <summary>Environment variables of the process, e.g. those a cloud platform sets (filled before <see cref="StartAsync"/>).</summary>
    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>Command-line arguments before the settings, e.g. SageMaker's "serve".</summary>
    public List<string> Arguments { get; } = [];

    /// <summary>
    /// Leave the HTTP endpoint's address out of the command line: the service must listen where its environment says
    /// (SAGEMAKER_BIND_TO_PORT or AIP_HTTP_PORT set to <see cref="HttpPort"/>), else /health never answers there.
    /// </summary>
    public bool HttpPortFromEnvironment { get; init; }

    /// <summary>A channel that sends the service's API key on every call.</summary>
    public Grpc.Net.Client.GrpcChannel OpenChannel() => KeyedChannel.Open(GrpcAddress, ApiKey.Length > 0 ? ApiKey : null);

    /// <summary>The service's process id while it runs (benchmarks read its CPU time).</summary>
    public int ProcessId => _process?.Id ?? 0;

    public async Task StartAsync(TimeSpan? timeout = null)
    {
        var directory = RepositoryPaths.BuildOutput("Inference.Grpc");
        var dll = Path.Combine(directory, "Inference.Grpc.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"Inference.Grpc is not built ({dll} missing)");
        var args = new List<string> { dll };
        args.AddRange(Arguments);
        if (!HttpPortFromEnvironment) args.Add($"--Kestrel:Endpoints:Http:Url={HttpAddress}");
        args.Add($"--Kestrel:Endpoints:Grpc:Url={GrpcAddress}");
        args.Add($"--Inference:ApiKey={ApiKey}");
        args.AddRange((settings ?? EmbeddingOnly).Where(s => s.Key != "Inference:ApiKey").Select(s => $"--{s.Key}={s.Value}"));
        var environment = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" };
        foreach (var (name, value) in Environment) environment[name] = value;
        _process = new ChildProcess(ChildProcess.Dotnet, args, directory, environment, echoPrefix);
        await _process.WaitForHttpAsync(new Uri(HttpAddress, "health").ToString(), timeout ?? TimeSpan.FromSeconds(120));
    }

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
