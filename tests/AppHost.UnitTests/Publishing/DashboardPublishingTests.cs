using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>The dashboard faces people outside the cluster: published output requires sign-in whatever the local setting says.</summary>
public sealed class DashboardPublishingTests : IAsyncLifetime
{
    private readonly string output = AppHostPublishing.NewOutputDirectory();

    public Task InitializeAsync() =>
        // The setting that turns sign-in off in the local run is given, and must be ignored.
        AppHostPublishing.PublishInProcessAsync(output, extendModel: null, "--Dashboard:RequireSignIn=false");

    public Task DisposeAsync()
    {
        Directory.Delete(output, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Compose_requires_sign_in_with_the_secret_key_and_keeps_the_data_folder_in_a_volume()
    {
        var dashboard = YamlToJson.Documents(File.ReadAllText(Path.Combine(output, "compose", "docker-compose.yaml"))).Single()!["services"]!["dashboard"]!;
        var environment = dashboard["environment"]!;

        Assert.Equal("true", (string?)environment["Dashboard__RequireSignIn"]);
        Assert.StartsWith("${DASHBOARD_ACCESS_KEY:?", (string?)environment["Dashboard__AccessKey"]);
        Assert.Equal("/app/data", (string?)environment["Dashboard__DataDirectory"]);
        Assert.Contains("mlstack-dashboard-data:/app/data", dashboard["volumes"]!.AsArray().Select(v => (string?)v));
    }

    [Fact]
    public void Kubernetes_requires_sign_in_and_claims_a_volume_for_the_data_folder()
    {
        var documents = YamlToJson.Documents(File.ReadAllText(Path.Combine(output, "k8s", "dashboard.yaml")));
        var config = documents.Single(d => (string?)d!["kind"] == "ConfigMap")!["data"]!;
        Assert.Equal("true", (string?)config["Dashboard__RequireSignIn"]);
        Assert.Contains(documents, d => (string?)d!["kind"] == "PersistentVolumeClaim" && (string?)d["metadata"]!["name"] == "mlstack-dashboard-data");
    }
}
