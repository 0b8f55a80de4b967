using System.Text.Json.Nodes;
using MlStack.AppHost.Publishing;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// The images the published compose file builds: one shared Dockerfile for the ASP.NET services, the CUDA one for
/// inference, one health check script installed by both, and a CI job that builds exactly what compose builds.
/// (No container engine here: CI's images job builds them for real.)
/// </summary>
[Collection(PublishedStackCollection.Name)]
public sealed class ContainerImageTests(PublishedStack stack)
{
    private static readonly string[] Dockerfiles = ["Inference.Grpc/Dockerfile", MlStackImages.SharedDockerfile];

    [Fact]
    public void The_repository_has_exactly_the_CUDA_and_the_shared_Dockerfile()
    {
        var found = Directory.EnumerateFiles(RepositoryPaths.Root, "*Dockerfile", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part is "bin" or "obj" or "node_modules" or ".git"));
        Assert.Equal(Dockerfiles.Order(), found.Order());
    }

    [Theory]
    [InlineData("Inference.Grpc/Dockerfile")]
    [InlineData(MlStackImages.SharedDockerfile)]
    public void Every_image_installs_the_one_health_check_script_and_its_HEALTHCHECK_runs_it(string dockerfile)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, dockerfile));

        Assert.Contains($"COPY --chmod=0755 {MlStackImages.HealthCheckScript} {MlStackImages.InstalledHealthCheck}\n", text);
        Assert.Contains($"CMD [\"{MlStackImages.InstalledHealthCheck}\", \"8080\", \"/health\"]", text);
        // The probe's logic lives in the script only.
        Assert.DoesNotContain("/dev/tcp", text);
    }

    [Fact]
    public void The_inference_image_starts_as_SageMaker_and_Vertex_AI_start_it()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Inference.Grpc/Dockerfile"));

        // Exec form: `docker run IMAGE serve` appends serve to the service's arguments, which it understands.
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"Inference.Grpc.dll\"]\n", text);
        Assert.DoesNotContain("CMD [\"dotnet", text);
        // SageMaker passes SAGEMAKER_BIND_TO_PORT only to images that say they take it.
        Assert.Contains("LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true\n", text);
        Assert.Contains("Kestrel__Endpoints__Http__Url=http://+:8080", text);
    }

    [Fact]
    public void The_build_context_keeps_the_script_though_it_leaves_tools_out()
    {
        var ignore = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, ".dockerignore")).ToList();
        var exception = ignore.IndexOf("!" + MlStackImages.HealthCheckScript);
        // The last matching line wins, so the exception must come after the tools/ exclusion.
        Assert.True(exception > ignore.IndexOf("tools/") && ignore.IndexOf("tools/") >= 0, ".dockerignore must re-include the script after excluding tools/");
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, MlStackImages.HealthCheckScript)));
    }

    [Fact]
    public void The_CI_images_job_builds_what_the_compose_file_builds()
    {
        var workflow = YamlToJson.Documents(File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "ci.yml"))).Single()!;
        var matrix = workflow["jobs"]!["images"]!["strategy"]!["matrix"]!["include"]!.AsArray()
            .Select(entry => ((string)entry!["name"]!, (string)entry["dockerfile"]!, (string?)entry["project"]));

        var compose = YamlToJson.Documents(File.ReadAllText(Path.Combine(stack.ComposeDirectory, "docker-compose.yaml"))).Single()!;
        var built = compose["services"]!.AsObject()
            .Where(service => service.Value!["build"] is not null)
            .Select(service => (service.Key, (string)service.Value!["build"]!["dockerfile"]!, (string?)service.Value["build"]!["args"]?[MlStackImages.ProjectArgument]));

        Assert.Equal(built.Order(), matrix.Order());
        Assert.Equal(3, built.Count());
    }
}
