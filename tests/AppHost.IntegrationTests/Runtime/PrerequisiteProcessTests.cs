using MlStack.AppHost.Runtime;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Runtime;

/// <summary>The built AppHost, run as the program users start, ends at once naming a missing prerequisite or a bad setting.</summary>
public sealed class PrerequisiteProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PromptExit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task TheAppHostProcessEndsPromptlyNamingTheChromaServer()
    {
        using var tools = new TestDirectory();
        using var state = new TestDirectory();

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
        using var state = new TestDirectory();
        using var path = new TestDirectory();
        // Only node on PATH: Chroma's prerequisites are met, Prometheus is missing.
        File.CreateSymbolicLink(Path.Combine(path.Path, "node"), Prerequisites.FindOnPath("node")!);

        var (exitCode, text, elapsed) = await RunAppHostAsync(
            ["MlStack:Runtime=processes", $"MlStack:StateDirectory={state.Path}"], pathVariable: path.Path);

        output.WriteLine($"exit {exitCode} after {elapsed.TotalSeconds:F1} s\n{text}");
        Assert.Equal(1, exitCode);
        Assert.Contains("MlStack cannot start: 'prometheus' was not found on PATH. Install Prometheus (Debian: apt-get install -y --no-install-recommends prometheus).", text);
        Assert.DoesNotContain("   at ", text);
    }

    [Fact]
    public async Task TheAppHostProcessEndsPromptlyNamingTheAllowedRuntimes()
    {
        using var state = new TestDirectory();

        var (exitCode, text, elapsed) = await RunAppHostAsync(["MlStack:Runtime=docker", $"MlStack:StateDirectory={state.Path}"]);

        output.WriteLine($"exit {exitCode} after {elapsed.TotalSeconds:F1} s\n{text}");
        Assert.Equal(1, exitCode);
        Assert.Contains("MlStack cannot start: MlStack:Runtime is 'docker', but it must be one of: auto, containers, processes.", text);
        Assert.DoesNotContain("   at ", text);
    }

    /// <summary>Exit code, both output streams (the message goes to stderr) and how long it ran.</summary>
    private static async Task<(int ExitCode, string Output, TimeSpan Elapsed)> RunAppHostAsync(string[] args, string? pathVariable = null)
    {
        var appHost = AppHostPublishing.AppHostDll();
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
        };
        if (pathVariable is not null) environment["PATH"] = pathVariable;
        try
        {
            var run = await ChildProcess.RunAsync(ChildProcess.Dotnet, [appHost, .. args], PromptExit, Path.GetDirectoryName(appHost), environment);
            return (run.ExitCode, run.Output, run.Elapsed);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException("The AppHost hangs instead of reporting the missing prerequisite.", e);
        }
    }
}
