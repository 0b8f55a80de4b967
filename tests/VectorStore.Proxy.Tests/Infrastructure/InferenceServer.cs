namespace MlStack.VectorStore.Tests.Infrastructure;

/// <summary>The real Inference.Grpc service, run from its build output as a separate process on free ports.</summary>
public sealed class InferenceServer : IAsyncDisposable
{
    private ChildProcess? _process;

    public int HttpPort { get; } = FreePort.Next();
    public int GrpcPort { get; } = FreePort.Next();
    private static string ModelRepository { get; } = Path.Combine(Path.GetTempPath(), "mlstack-vectorstore-tests-models");

    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public async Task StartAsync()
    {
        var directory = RepositoryPaths.InferenceDirectory;
        var dll = Path.Combine(directory, "Inference.Grpc.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"Inference.Grpc is not built ({dll} missing)");
        _process = new ChildProcess("dotnet",
            [
                dll, $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{HttpPort}", $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{GrpcPort}",
                // The embedding model is extracted once into a shared folder, not into the build output.
                $"--ModelRepository:Path={ModelRepository}", "--ModelRepository:Models:0=all-MiniLM-L6-v2",
            ],
            directory,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" });
        await _process.WaitForHttpAsync($"http://127.0.0.1:{HttpPort}/health", TimeSpan.FromSeconds(120));
    }

    public string Output => _process?.Output ?? "";

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
