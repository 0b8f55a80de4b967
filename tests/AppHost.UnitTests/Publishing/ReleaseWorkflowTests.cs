using System.Text.Json.Nodes;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// The GitHub workflow parsed as YAML: a version tag builds every image for its platforms, fails on a critical
/// vulnerability, writes an SBOM per image and platform, and pushes to ghcr.io under the version; nothing else pushes.
/// </summary>
public sealed class ReleaseWorkflowTests
{
    private static readonly JsonNode Workflow =
        YamlToJson.Documents(File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "ci.yml"))).Single()!;

    private static JsonNode Images => Workflow["jobs"]!["images"]!;

    private static List<JsonNode> Steps(JsonNode job) => [.. job["steps"]!.AsArray().Select(s => s!)];

    private static string Run(JsonNode job, string containing) =>
        Steps(job).Select(s => (string?)s["run"]).Single(r => r is not null && r.Contains(containing, StringComparison.Ordinal))!;

    [Fact]
    public void A_version_tag_starts_the_workflow()
    {
        Assert.Equal(["v*"], Workflow["on"]!["push"]!["tags"]!.AsArray().Select(t => (string?)t));
        Assert.Equal("write", (string?)Images["permissions"]!["packages"]);
        Assert.Equal("read", (string?)Workflow["permissions"]!["contents"]);
    }

    [Fact]
    public void The_plain_ASP_NET_images_are_built_for_amd64_and_arm64_and_inference_for_what_ONNX_Runtime_CUDA_ships()
    {
        var platforms = Images["strategy"]!["matrix"]!["include"]!.AsArray()
            .ToDictionary(e => (string)e!["name"]!, e => ((string)e!["platforms"]!).Split(','));
        Assert.Equal(["linux/amd64", "linux/arm64"], platforms["vectors"]);
        Assert.Equal(["linux/amd64", "linux/arm64"], platforms["dashboard"]);
        // Microsoft.ML.OnnxRuntime.Gpu.Linux has linux-x64 native libraries only; the Dockerfile refuses other targets.
        Assert.Equal(["linux/amd64"], platforms["inference"]);
        Assert.Contains("linux-x64 native libraries only", File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Inference.Grpc", "Dockerfile")));
        Assert.Contains(Steps(Images), s => ((string?)s["uses"])?.StartsWith("docker/setup-qemu-action@", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Every_platform_is_scanned_failing_on_critical_vulnerabilities_and_described_by_an_SBOM()
    {
        var script = Run(Images, "trivy image");
        Assert.Contains("for platform in", script);
        Assert.Contains("--severity CRITICAL", script);
        Assert.Contains("--exit-code 1", script);
        Assert.Contains("syft ", script);
        Assert.Contains("spdx-json=sbom/", script);
        Assert.True(script.IndexOf("trivy image", StringComparison.Ordinal) < script.IndexOf("syft ", StringComparison.Ordinal));
        Assert.Contains(Steps(Images), s => (string?)s["uses"] == "actions/upload-artifact@v4" && (string?)s["with"]!["path"] == "sbom/");
    }

    [Fact]
    public void Only_a_tag_pushes_to_ghcr_io_under_its_version_with_the_matrix_platforms()
    {
        var push = Steps(Images).Single(s => ((string?)s["uses"])?.StartsWith("docker/build-push-action@", StringComparison.Ordinal) == true);
        Assert.Equal("github.ref_type == 'tag'", (string?)push["if"]);
        var with = push["with"]!;
        Assert.Equal(true, (bool?)with["push"]);
        Assert.Equal("${{ matrix.platforms }}", (string?)with["platforms"]);
        Assert.Equal("${{ steps.version.outputs.registry }}/${{ env.IMAGE }}:${{ steps.version.outputs.version }}", (string?)with["tags"]);
        Assert.Equal("true", with["sbom"]!.ToString());

        var version = Run(Images, "GITHUB_REF_NAME");
        Assert.Contains("version=\"${GITHUB_REF_NAME#v}\"", version);
        Assert.Contains("registry=ghcr.io/", version);
        var login = Steps(Images).Single(s => ((string?)s["uses"])?.StartsWith("docker/login-action@", StringComparison.Ordinal) == true);
        Assert.Equal("ghcr.io", (string?)login["with"]!["registry"]);
        Assert.Equal("github.ref_type == 'tag'", (string?)login["if"]);
        // No other step pushes: every other build only loads into the runner's engine.
        Assert.DoesNotContain(Steps(Images).Where(s => s != push), s => ((string?)s["run"])?.Contains("--push", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Every_action_is_pinned_to_a_version()
    {
        var uses = Workflow["jobs"]!.AsObject().SelectMany(j => Steps(j.Value!)).Select(s => (string?)s["uses"]).OfType<string>().ToList();
        Assert.NotEmpty(uses);
        Assert.All(uses, u => Assert.Matches(@"^[\w.-]+/[\w.-]+(/[\w.-]+)*@v\d", u));
    }
}
