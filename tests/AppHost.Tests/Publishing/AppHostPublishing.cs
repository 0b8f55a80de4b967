using System.Diagnostics;
using Aspire.Hosting.Testing;

namespace MlStack.AppHost.Tests.Publishing;

/// <summary>Publishes the real AppHost model, in process (fast) or as `dotnet AppHost.dll` (end to end).</summary>
internal static class AppHostPublishing
{
    /// <summary>Publishing reads the model and writes files; it never needs this long, even on a busy machine.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string NewOutputDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mlstack-publish-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    public static string[] PublishArgs(string outputDirectory, params string[] extra) =>
    [
        "--operation", "publish", "--step", "publish", "--output-path", outputDirectory,
        // Never touch the developer's state folder, and never let the auto runtime probe a container engine.
        $"--MlStack:StateDirectory={Path.Combine(outputDirectory, ".state")}",
        .. extra,
    ];

    public static async Task PublishInProcessAsync(
        string outputDirectory, Action<IDistributedApplicationTestingBuilder>? extendModel = null, params string[] extraArgs)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            PublishArgs(outputDirectory, extraArgs), timeout.Token);
        extendModel?.Invoke(builder);
        await using var app = await builder.BuildAsync(timeout.Token);
        await app.RunAsync(timeout.Token);
    }

    public static string AppHostDll()
    {
        // Same configuration as this test assembly: tests/AppHost.Tests/bin/<Configuration>/<tfm>/.
        var tfmDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = tfmDirectory.Parent!.Name;
        var dll = Path.Combine(RepositoryRoot, "AppHost", "bin", configuration, tfmDirectory.Name, "AppHost.dll");
        Assert.True(File.Exists(dll), $"The AppHost is not built at {dll}; build MlStack.sln first.");
        return dll;
    }

    public static string DotnetExecutable() =>
        Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? path
            : Path.Combine(Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? "/usr/share/dotnet", "dotnet");

    /// <summary>Runs a process and kills it (with its children) when the bound passes.</summary>
    public static async Task<(int ExitCode, string Output, TimeSpan Elapsed)> RunAsync(
        ProcessStartInfo start, TimeSpan bound)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"'{start.FileName} {string.Join(' ', start.ArgumentList)}' did not finish within {bound.TotalSeconds}s.\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr, watch.Elapsed);
    }

    /// <summary>`docker-compose -f F config -q` with every .env.example variable set, as an operator's .env would.</summary>
    public static async Task AssertDockerComposeAcceptsAsync(string composeDirectory)
    {
        var composeFile = Path.Combine(composeDirectory, "docker-compose.yaml");
        var start = new ProcessStartInfo("docker-compose") { WorkingDirectory = composeDirectory };
        foreach (var argument in new[] { "-f", composeFile, "config", "-q" })
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var line in File.ReadAllLines(Path.Combine(composeDirectory, ".env.example")).Where(l => l.EndsWith('=') && !l.StartsWith('#')))
        {
            start.Environment[line.TrimEnd('=')] = "placeholder";
        }

        (int ExitCode, string Output, TimeSpan Elapsed) result;
        try
        {
            result = await RunAsync(start, TimeSpan.FromSeconds(60));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("docker-compose is not installed; ./mlstack setup installs Debian's docker-compose.");
            return;
        }
        Assert.True(result.ExitCode == 0, $"docker-compose config -q failed:\n{result.Output}");
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MlStack.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("MlStack.sln not found above " + AppContext.BaseDirectory);
    }
}
