using System.Globalization;

namespace MlStack.Testing;

/// <summary>
/// A real Chroma server (the npm CLI) on a free port; can be stopped and restarted on the same data. Without a data
/// folder it makes a temporary one and deletes it when disposed; a folder the caller gives is left in place.
/// </summary>
public sealed class ChromaServer(string? dataDirectory = null, string? echoPrefix = null) : IAsyncDisposable
{
    private readonly bool _ownsData = dataDirectory is null;
    private ChildProcess? _process;

    public string DataDirectory { get; } = dataDirectory ?? Directory.CreateTempSubdirectory("mlstack-chroma-test-").FullName;
    public int Port { get; } = FreePort.Next();
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's process id while it runs (benchmarks read its CPU time).</summary>
    public int ProcessId => _process?.Id ?? 0;

    public async Task StartAsync()
    {
        if (!File.Exists(RepositoryPaths.ChromaCli))
            throw new InvalidOperationException($"Chroma is not installed: run npm ci --prefix tools/chroma ({RepositoryPaths.ChromaCli} missing)");
        _process?.Dispose();
        _process = new ChildProcess("node",
            [RepositoryPaths.ChromaCli, "run", "--path", DataDirectory, "--host", "127.0.0.1", "--port", Port.ToString(CultureInfo.InvariantCulture)],
            Path.GetDirectoryName(RepositoryPaths.ChromaCli)!,
            new Dictionary<string, string> { ["ANONYMIZED_TELEMETRY"] = "FALSE" },
            echoPrefix);
        await _process.WaitForHttpAsync(new Uri(BaseAddress, "api/v2/heartbeat").ToString(), TimeSpan.FromSeconds(60));
    }

    public void Stop() => _process?.Kill();

    public ValueTask DisposeAsync()
    {
        _process?.Dispose();
        if (!_ownsData) return ValueTask.CompletedTask;
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        return ValueTask.CompletedTask;
    }
}
