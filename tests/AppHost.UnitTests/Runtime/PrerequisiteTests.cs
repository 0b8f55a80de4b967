using Aspire.Hosting;
using Aspire.Hosting.Testing;
using MlStack.AppHost.Resources.Chroma;
using MlStack.AppHost.Runtime;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Runtime;

/// <summary>A missing prerequisite ends the start with one message naming what to install, never a hang.</summary>
public sealed class PrerequisiteTests
{
    private static readonly TimeSpan PromptExit = TimeSpan.FromSeconds(60);

    [Fact]
    public void AMissingChromaServerNamesTheNpmInstall()
    {
        using var tools = new TestDirectory();
        using var state = new TestDirectory();
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
        using var tools = new TestDirectory();
        using var state = new TestDirectory();
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
