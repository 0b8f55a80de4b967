using System.Diagnostics;

namespace MlStack.AppHost.Tests.Publishing;

/// <summary>The real command line, end to end, on a machine where no container engine can be found.</summary>
public sealed class PublishProcessTests
{
    [Fact]
    public async Task Publishing_the_built_AppHost_finishes_without_a_container_engine()
    {
        var output = AppHostPublishing.NewOutputDirectory();
        try
        {
            var dotnet = AppHostPublishing.DotnetExecutable();
            var start = new ProcessStartInfo(dotnet) { WorkingDirectory = Path.Combine(AppHostPublishing.RepositoryRoot, "AppHost") };
            start.ArgumentList.Add(AppHostPublishing.AppHostDll());
            foreach (var argument in AppHostPublishing.PublishArgs(output))
            {
                start.ArgumentList.Add(argument);
            }
            // Only dotnet on PATH: no docker or podman binary, and no daemon socket to find.
            start.Environment["PATH"] = Path.GetDirectoryName(dotnet)!;
            start.Environment["DOCKER_HOST"] = "unix:///nonexistent/docker.sock";
            start.Environment["CONTAINER_HOST"] = "unix:///nonexistent/podman.sock";

            var (exitCode, log, elapsed) = await AppHostPublishing.RunAsync(start, AppHostPublishing.Bound);

            Assert.True(exitCode == 0, $"publish exited with {exitCode}:\n{log}");
            foreach (var file in new[] { "compose/docker-compose.yaml", "compose/.env.example", "compose/prometheus.yml", "k8s/kustomization.yaml", "k8s/inference.yaml" })
            {
                Assert.True(File.Exists(Path.Combine(output, file)), $"{file} was not written. Log:\n{log}");
            }
            Assert.True(elapsed < AppHostPublishing.Bound);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
