using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MlStack.Testing;

/// <summary>Publishes the real AppHost model, in process (fast) or as `dotnet AppHost.dll` (end to end).</summary>
public static class AppHostPublishing
{
    /// <summary>Publishing reads the model and writes files; it never needs this long, even on a busy machine.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    public static string NewOutputDirectory() => Directory.CreateTempSubdirectory("mlstack-publish-").FullName;

    public static string[] PublishArgs(string outputDirectory, params string[] extra) =>
    [
        "--operation", "publish", "--step", "publish", "--output-path", outputDirectory,
        // Never touch the developer's state folder, and never let the auto runtime probe a container engine.
        $"--MlStack:StateDirectory={Path.Combine(outputDirectory, ".state")}",
        .. extra,
    ];

    /// <summary>Publishes into <paramref name="outputDirectory"/> and returns the model that was published.</summary>
    public static async Task<DistributedApplicationModel> PublishInProcessAsync(
        string outputDirectory, Action<IDistributedApplicationTestingBuilder>? extendModel = null, params string[] extraArgs)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            PublishArgs(outputDirectory, extraArgs), timeout.Token);
        extendModel?.Invoke(builder);
        await using var app = await builder.BuildAsync(timeout.Token);
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        await app.RunAsync(timeout.Token);
        return model;
    }

    /// <summary>The AppHost as built next to its project (same configuration as the tests), so it finds its own settings.</summary>
    public static string AppHostDll()
    {
        var dll = Path.Combine(RepositoryPaths.BuildOutput("AppHost"), "AppHost.dll");
        Assert.True(File.Exists(dll), $"The AppHost is not built at {dll}; build MlStack.sln first.");
        return dll;
    }

    /// <summary>`docker-compose -f F config -q` with every .env.example variable set, as an operator's .env would.</summary>
    public static async Task AssertDockerComposeAcceptsAsync(string composeDirectory)
    {
        var environment = File.ReadAllLines(Path.Combine(composeDirectory, ".env.example"))
            .Where(line => line.EndsWith('=') && !line.StartsWith('#'))
            .ToDictionary(line => line.TrimEnd('='), _ => "placeholder");
        var run = await ChildProcess.RunAsync("docker-compose", ["-f", Path.Combine(composeDirectory, "docker-compose.yaml"), "config", "-q"],
            TimeSpan.FromSeconds(60), composeDirectory, environment,
            whenMissing: "./mlstack setup installs Debian's docker-compose.");
        Assert.True(run.ExitCode == 0, $"docker-compose config -q failed:\n{run.Output}");
    }
}
