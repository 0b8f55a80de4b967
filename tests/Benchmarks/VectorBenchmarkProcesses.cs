using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MlStack.Benchmarks;

/// <summary>A server process started by the vector store benchmark, killed (with its children) on dispose.</summary>
internal sealed class VectorBenchmarkProcess : IDisposable
{
    private readonly Process _process;

    private VectorBenchmarkProcess(Process process) => _process = process;

    public static async Task<VectorBenchmarkProcess> StartAsync(string name, string fileName, IEnumerable<string> args, string workingDirectory, string readyUrl)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["ANONYMIZED_TELEMETRY"] = "FALSE";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new VectorBenchmarkProcess(process);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{name} exited with {process.ExitCode}");
            try
            {
                using var response = await http.GetAsync(readyUrl);
                if (response.IsSuccessStatusCode) return server;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(250);
        }
        server.Dispose();
        throw new TimeoutException($"{name} did not answer {readyUrl}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlStack.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("MlStack.sln not found");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
