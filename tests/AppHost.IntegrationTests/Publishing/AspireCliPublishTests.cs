using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Publishing;

/// <summary>
/// `aspire publish -o out`, the command users reach first, through the Aspire CLI pinned in .config/dotnet-tools.json,
/// must write exactly what the AppHost writes when run directly.
/// </summary>
public sealed class AspireCliPublishTests
{
    private static readonly string[] Outputs = ["compose", "k8s", "sagemaker", "vertex"];

    /// <summary>The CLI starts the AppHost through the SDK; it needs longer than the AppHost alone.</summary>
    private static readonly TimeSpan CliBound = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Aspire_publish_writes_the_same_files_as_the_AppHost_run_directly()
    {
        using var work = new TestDirectory("mlstack-aspire-cli-");
        var viaCli = Path.Combine(work.Path, "cli");
        var direct = Path.Combine(work.Path, "direct");
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["ASPIRE_CLI_TELEMETRY_OPTOUT"] = "true",
            // MSBuild reads the environment as properties: the CLI runs the AppHost of the configuration the tests use.
            ["Configuration"] = RepositoryPaths.Configuration,
        };

        // The manifest's pinned version; offline from the NuGet cache once `./mlstack setup` has restored it.
        var restore = await ChildProcess.RunAsync(ChildProcess.Dotnet, ["tool", "restore"], CliBound, RepositoryPaths.Root, environment);
        Assert.True(restore.ExitCode == 0, $"dotnet tool restore exited with {restore.ExitCode}:\n{restore.Output}");

        var cli = await ChildProcess.RunAsync(ChildProcess.Dotnet,
            ["aspire", "publish", "--apphost", Path.Combine("AppHost", "AppHost.csproj"), "--no-build", "--non-interactive", "--nologo",
             "-o", viaCli, "--", $"--MlStack:StateDirectory={Path.Combine(work.Path, "cli-state")}"],
            CliBound, RepositoryPaths.Root, environment);
        Assert.True(cli.ExitCode == 0, $"dotnet aspire publish exited with {cli.ExitCode}:\n{cli.Output}");

        var run = await ChildProcess.RunAsync(ChildProcess.Dotnet, [AppHostPublishing.AppHostDll(), .. AppHostPublishing.PublishArgs(direct)],
            AppHostPublishing.Bound, Path.Combine(RepositoryPaths.Root, "AppHost"));
        Assert.True(run.ExitCode == 0, $"the AppHost's publish exited with {run.ExitCode}:\n{run.Output}");

        foreach (var output in Outputs)
        {
            var expected = PublishedFiles.Read(Path.Combine(direct, output));
            var actual = PublishedFiles.Read(Path.Combine(viaCli, output));
            Assert.NotEmpty(expected);
            Assert.Equal(expected.Keys, actual.Keys);
            foreach (var (name, content) in expected)
            {
                Assert.True(content == actual[name], $"{output}/{name} differs between the two paths:\n{PublishedFiles.FirstDifference(content, actual[name])}");
            }
        }
    }
}
