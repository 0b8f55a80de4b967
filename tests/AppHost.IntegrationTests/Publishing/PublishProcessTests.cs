using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Publishing;

/// <summary>The real command line, end to end, on a machine where no container engine can be found.</summary>
public sealed class PublishProcessTests
{
    [Fact]
    public async Task Publishing_the_built_AppHost_finishes_without_a_container_engine()
    {
        var output = AppHostPublishing.NewOutputDirectory();
        try
        {
            var appHost = AppHostPublishing.AppHostDll();
            // Only dotnet on PATH: no docker or podman binary, and no daemon socket to find.
            var environment = new Dictionary<string, string>
            {
                ["PATH"] = Path.GetDirectoryName(ChildProcess.Dotnet)!,
                ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock",
                ["CONTAINER_HOST"] = "unix:///nonexistent/podman.sock",
            };

            var run = await ChildProcess.RunAsync(ChildProcess.Dotnet, [appHost, .. AppHostPublishing.PublishArgs(output)],
                AppHostPublishing.Bound, Path.Combine(RepositoryPaths.Root, "AppHost"), environment);

            Assert.True(run.ExitCode == 0, $"publish exited with {run.ExitCode}:\n{run.Output}");
            foreach (var file in new[] { "compose/docker-compose.yaml", "compose/.env.example", "compose/prometheus.yml", "k8s/kustomization.yaml", "k8s/inference.yaml" })
            {
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} was not written. Log:\n{run.Output}");
            }
            Assert.True(run.Elapsed < AppHostPublishing.Bound);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
