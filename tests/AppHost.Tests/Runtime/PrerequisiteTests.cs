using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using MlStack.AppHost.Extensions;
using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.Tests.Runtime;

/// <summary>A missing prerequisite ends the start with one message naming what to install, never a hang.</summary>
public sealed class PrerequisiteTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PromptExit = TimeSpan.FromSeconds(60);

    [Fact]
    public void AMissingChromaServerNamesTheNpmInstall()
    {
        using var tools = new TempDirectory();
        using var state = new TempDirectory();
        var builder = DistributedApplication.CreateBuilder(
            ["MlStack:Runtime=processes", $"MlStack:ToolsDirectory={tools.Path}", $"MlStack:StateDirectory={state.Path}"]);
        var runtime = builder.AddStackRuntime(() => throw new InvalidOperationException("the setting must win"));

        var error = Assert.Throws<PrerequisiteMissingException>(() => builder.AddChroma("chroma", runtime));

        Assert.Contains(Path.Combine(tools.Path, "chroma", "node_modules", "chromadb", "dist", "cli.mjs"), error.Message);
        Assert.Contains($"npm ci --prefix {Path.Combine(tools.Path, "chroma")}", error.Message);
        Assert.Contains(Prerequisites.InstallHint, error.Message);
    }

    [Fact]
    public void AMissingProgramNamesWhatToInstall()
    {
        var error = Assert.Throws<PrerequisiteMissingException>(
            () => Prerequisites.RequireOnPath("mlstack-no-such-program", "Something (Debian: apt-get install -y something)"));

        Assert.Equal(
            $"'mlstack-no-such-program' was not found on PATH. Install Something (Debian: apt-get install -y something). {Prerequisites.InstallHint}",
            error.Message);
    }

    [Fact]
    public async Task TheAppHostModelFailsWithThePrerequisiteMessage()
    {
        using var tools = new TempDirectory();
        using var state = new TempDirectory();
        using var timeout = new CancellationTokenSource(PromptExit);

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
                ["MlStack:Runtime=processes", $"MlStack:ToolsDirectory={tools.Path}", $"MlStack:StateDirectory={state.Path}"],
                timeout.Token);
            await using var app = await builder.BuildAsync(timeout.Token);
        });

        var missing = FindInChain<PrerequisiteMissingException>(error);
        Assert.True(missing is not null, $"Expected a PrerequisiteMissingException, got: {error}");
        Assert.Contains("npm ci --prefix", missing.Message);
    }

    [Fact]
    public async Task TheAppHostProcessEndsPromptlyNamingTheChromaServer()
    {
        using var tools = new TempDirectory();
        using var state = new TempDirectory();

        var (exitCode, text, elapsed) = await RunAppHostAsync(
            ["MlStack:Runtime=processes", $"MlStack:ToolsDirectory={tools.Path}", $"MlStack:StateDirectory={state.Path}"]);

        output.WriteLine($"exit {exitCode} after {elapsed.TotalSeconds:F1} s\n{text}");
        Assert.Equal(1, exitCode);
        Assert.Contains("MlStack cannot start: ", text);
        Assert.Contains($"Install the Chroma server from npm (npm ci --prefix {Path.Combine(tools.Path, "chroma")})", text);
        Assert.DoesNotContain("   at ", text); // One message, not a stack trace.
    }

    [Fact]
    public async Task TheAppHostProcessEndsPromptlyNamingPrometheus()
    {
        using var state = new TempDirectory();
        using var path = new TempDirectory();
        // Only node on PATH: Chroma's prerequisites are met, Prometheus is missing.
        File.CreateSymbolicLink(Path.Combine(path.Path, "node"), Prerequisites.FindOnPath("node")!);

        var (exitCode, text, elapsed) = await RunAppHostAsync(
            ["MlStack:Runtime=processes", $"MlStack:StateDirectory={state.Path}"], pathVariable: path.Path);

        output.WriteLine($"exit {exitCode} after {elapsed.TotalSeconds:F1} s\n{text}");
        Assert.Equal(1, exitCode);
        Assert.Contains("MlStack cannot start: 'prometheus' was not found on PATH. Install Prometheus (Debian: apt-get install -y --no-install-recommends prometheus).", text);
        Assert.DoesNotContain("   at ", text);
    }

    private static async Task<(int ExitCode, string Output, TimeSpan Elapsed)> RunAppHostAsync(string[] args, string? pathVariable = null)
    {
        var appHost = AppHostAssembly();
        var start = new ProcessStartInfo(Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? host
            : Prerequisites.FindOnPath("dotnet") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(appHost)!,
        };
        start.ArgumentList.Add(appHost);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        if (pathVariable is not null)
        {
            start.Environment["PATH"] = pathVariable;
        }

        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(PromptExit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The AppHost did not end within {PromptExit.TotalSeconds:F0} s; it hangs instead of reporting the missing prerequisite.");
        }
        return (process.ExitCode, await stdout + await stderr, stopwatch.Elapsed);
    }

    /// <summary>The AppHost as built next to its project, so it finds its own appsettings and launch profile.</summary>
    private static string AppHostAssembly()
    {
        var projectDirectory = Path.GetDirectoryName(Projects.AppHost.ProjectPath)!;
        var configuration = typeof(PrerequisiteTests).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().Single().Configuration;
        var built = Path.Combine(projectDirectory, "bin", configuration, "net10.0", "AppHost.dll");
        return File.Exists(built) ? built : Path.Combine(AppContext.BaseDirectory, "AppHost.dll");
    }

    private static T? FindInChain<T>(Exception? error) where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
            {
                return found;
            }
            if (error is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Select(FindInChain<T>).FirstOrDefault(e => e is not null);
            }
        }
        return null;
    }
}
