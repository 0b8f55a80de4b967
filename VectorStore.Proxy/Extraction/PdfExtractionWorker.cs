using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Options;

namespace MlStack.VectorStore.Extraction;

/// <summary>
/// Reads PDFs in worker processes (<see cref="PdfWorker"/>): at most
/// <see cref="ExtractionOptions.MaxConcurrentExtractions"/> at once, each with a managed-heap limit, a wall-clock
/// limit and a bound on the text it may return, killed when the caller cancels. A worker that crashes (a stack
/// overflow, memory exhausted) or overruns costs only itself: the file is refused as INVALID_ARGUMENT and the proxy
/// goes on serving.
/// </summary>
public sealed class PdfExtractionWorker : IDisposable
{
    private readonly ExtractionOptions _options;
    private readonly ILogger<PdfExtractionWorker> _logger;
    private readonly SemaphoreSlim _slots;
    private int _running;

    public PdfExtractionWorker(IOptions<ExtractionOptions> options, ILogger<PdfExtractionWorker> logger)
    {
        _options = options.Value;
        _logger = logger;
        _slots = new SemaphoreSlim(_options.MaxConcurrentExtractions);
    }

    /// <summary>Worker processes alive now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <exception cref="InvalidDataException">The file is not a readable PDF, or reading it passed a limit; the message says which.</exception>
    public async Task<string> ExtractAsync(ReadOnlyMemory<byte> pdf, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            return await RunWorkerAsync(pdf, ct);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<string> RunWorkerAsync(ReadOnlyMemory<byte> pdf, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(_options.ExtractionTimeout);
        using var process = Process.Start(StartInfo()) ?? throw new InvalidOperationException("the extraction worker did not start");
        Interlocked.Increment(ref _running);
        try
        {
            var text = ReadBoundedAsync(process.StandardOutput, _options.MaxExtractedChars, limit.Token);
            var errors = ReadBoundedAsync(process.StandardError, 16 * 1024, limit.Token);
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(pdf, limit.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The worker ended before reading everything (it crashed); its exit code tells below.
            }
            var (output, complete) = await text;
            if (!complete)
                throw new InvalidDataException($"the PDF's text is longer than {_options.MaxExtractedChars} characters (the limit)");
            await process.WaitForExitAsync(limit.Token);
            var (stderr, _) = await errors;

            if (process.ExitCode == 0) return output;
            if (process.ExitCode == PdfWorker.Refused)
            {
                var lines = stderr.Split('\n', 2);
                _logger.LogInformation("PDF refused by the extraction worker: {Reason}", stderr);
                throw new InvalidDataException(lines[0].Trim());
            }
            _logger.LogWarning("The PDF extraction worker ended with exit code {ExitCode}: {Errors}", process.ExitCode, stderr);
            throw new InvalidDataException(
                "the PDF could not be read within the extraction limits (it needs more memory or deeper nesting than allowed)");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _logger.LogInformation("PDF extraction stopped at the time limit of {Timeout}", _options.ExtractionTimeout);
            throw new InvalidDataException(
                $"reading the PDF took longer than the limit of {_options.ExtractionTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        finally
        {
            if (!HasExited(process)) process.Kill(entireProcessTree: true);
            Interlocked.Decrement(ref _running);
        }
    }

    private ProcessStartInfo StartInfo()
    {
        var (program, prefix) = WorkerCommand();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in prefix.Concat(PdfWorker.Arguments(_options.PdfLimits))) start.ArgumentList.Add(arg);
        // The worker inherits no settings or secrets of the proxy: only what the .NET host needs, and its heap limit.
        var inherited = start.Environment.Where(e => e.Key is "DOTNET_ROOT" or "PATH" or "TMPDIR" or "HOME").ToList();
        start.Environment.Clear();
        foreach (var (key, value) in inherited) start.Environment[key] = value;
        start.Environment["DOTNET_GCHeapHardLimit"] = _options.ExtractionWorkerMemoryBytes.ToString("X", CultureInfo.InvariantCulture);
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        return start;
    }

    /// <summary>
    /// This program again: its apphost when the proxy runs as one, otherwise the dotnet host on this assembly with its
    /// runtime configuration (which also covers the proxy hosted in a test process).
    /// </summary>
    private static (string Program, string[] Prefix) WorkerCommand()
    {
        var assembly = typeof(PdfWorker).Assembly.Location;
        var processPath = Environment.ProcessPath ?? "";
        var apphost = Path.ChangeExtension(assembly, RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ".exe" : null);
        if (string.Equals(processPath, apphost, StringComparison.Ordinal)) return (processPath, []);
        var dotnet = Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? processPath
            : Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return (dotnet, ["exec", "--runtimeconfig", Path.ChangeExtension(assembly, ".runtimeconfig.json"), assembly]);
    }

    /// <summary>At most <paramref name="maxChars"/> characters; Complete is false when there was more.</summary>
    private static async Task<(string Text, bool Complete)> ReadBoundedAsync(StreamReader reader, int maxChars, CancellationToken ct)
    {
        var text = new StringBuilder();
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await reader.ReadAsync(buffer, ct)) > 0)
        {
            if (text.Length + read > maxChars) return (text.ToString(), false);
            text.Append(buffer, 0, read);
        }
        return (text.ToString(), true);
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    public void Dispose() => _slots.Dispose();
}
