using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MlStack.Testing;

/// <summary>What a command that ran to its end gave back.</summary>
public sealed record ProcessRun(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    /// <summary>Both streams, for failure messages.</summary>
    public string Output => StandardOutput + StandardError;
}

/// <summary>
/// The one way tests and benchmarks start programs. A server (Chroma, the inference service) runs until disposed,
/// its output kept for failure messages and killed with its children; a command (promtool, docker-compose,
/// python, the AppHost) runs to its end within a bound.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private const int MaxKeptOutput = 200_000;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string? _echoPrefix;

    /// <param name="echoPrefix">When set, each output line is also written to the console with this prefix (benchmarks).</param>
    public ChildProcess(string fileName, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, string? echoPrefix = null)
    {
        _echoPrefix = echoPrefix;
        _process = Process.Start(StartInfo(fileName, args, workingDirectory, environment))
            ?? throw new InvalidOperationException($"could not start {fileName}");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>Polls an HTTP URL until it answers 2xx, the process exits, or the time is up.</summary>
    public async Task WaitForHttpAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"process exited ({_process.ExitCode}) before {url} answered:\n{Output}");
            try
            {
                using var response = await http.GetAsync(url);
                if (response.IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{url} did not answer within {timeout}:\n{Output}");
    }

    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    /// <summary>
    /// Runs a command to its end and returns its exit code and output (stdout then stderr). Past the bound it is
    /// killed with its children and the run fails with what it printed. A program that is not installed fails
    /// with <paramref name="whenMissing"/>, which should say how to install it.
    /// </summary>
    public static async Task<ProcessRun> RunAsync(string fileName, IEnumerable<string> args, TimeSpan bound,
        string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null,
        string? whenMissing = null)
    {
        var start = StartInfo(fileName, args, workingDirectory, environment);
        start.RedirectStandardInput = standardInput is not null;
        var watch = Stopwatch.StartNew();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        }
        catch (Win32Exception) when (whenMissing is not null)
        {
            throw new InvalidOperationException($"'{fileName}' is not installed: {whenMissing}");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput);
                process.StandardInput.Close();
            }
            using var timeout = new CancellationTokenSource(bound);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new TimeoutException(
                    $"'{fileName} {string.Join(' ', start.ArgumentList)}' did not finish within {bound.TotalSeconds:F0} s.\n{await stdout}\n{await stderr}");
            }
            return new ProcessRun(process.ExitCode, await stdout, await stderr, watch.Elapsed);
        }
    }

    /// <summary>The dotnet host running this test, or the one on the machine: child .NET programs use the same runtime.</summary>
    public static string Dotnet =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? path
            : Path.Combine(Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? "/usr/share/dotnet", "dotnet");

    private static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> args, string? workingDirectory,
        IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return start;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        if (_echoPrefix is not null) Console.Error.WriteLine($"[{_echoPrefix}] {line}");
        lock (_output)
        {
            if (_output.Length < MaxKeptOutput) _output.AppendLine(line);
        }
    }
}
