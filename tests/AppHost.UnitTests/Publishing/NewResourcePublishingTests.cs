using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using k8s;
using k8s.Models;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Resources.Prometheus;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// A resource the publishers have never heard of (a Grafana-like container) states what it needs as annotations:
/// a config file rendered from the model, its image's user and probe tool, a volume. Publishing the real model
/// with it added must carry all of that into both outputs without any publisher change.
/// </summary>
public sealed class NewResourcePublishingTests : IAsyncLifetime
{
    private const string FileName = "datasources.yaml";
    private const string FileDirectory = "/etc/grafana/provisioning/datasources";

    private readonly string _output = AppHostPublishing.NewOutputDirectory();

    public Task InitializeAsync() => AppHostPublishing.PublishInProcessAsync(_output, builder =>
    {
        var prometheus = builder.Resources.OfType<IPrometheusResource>().Single().GetEndpoint("http");
        builder.AddContainer("charts", "grafana/grafana", "11.3.0")
            .WithHttpEndpoint(targetPort: 3000, name: "http")
            .WithHttpHealthCheck("/api/health")
            .WithVolume("mlstack-charts-data", "/var/lib/grafana")
            .WithConfigFile(FileName, FileDirectory, async context =>
                $"datasources:\n  - name: mlstack\n    type: prometheus\n    url: http://{await context.HostAndPortAsync(prometheus)}\n")
            .WithImageConventions(runAsUser: 472, HealthProbeTool.BusyboxWget);
    });

    public Task DisposeAsync()
    {
        Directory.Delete(_output, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void Compose_mounts_the_rendered_file_and_probes_with_the_stated_tool()
    {
        var compose = Path.Combine(_output, "compose");
        Assert.Equal(
            "datasources:\n  - name: mlstack\n    type: prometheus\n    url: http://prometheus:9090\n",
            File.ReadAllText(Path.Combine(compose, FileName)));

        var charts = YamlToJson.Documents(File.ReadAllText(Path.Combine(compose, "docker-compose.yaml"))).Single()!["services"]!["charts"]!;
        Assert.Equal(["mlstack-charts-data:/var/lib/grafana", $"./{FileName}:{FileDirectory}/{FileName}:ro"], Strings(charts["volumes"]!));
        Assert.Equal(["CMD", "wget", "-q", "--spider", "http://127.0.0.1:3000/api/health"], Strings(charts["healthcheck"]!["test"]!));
        // Prometheus's own file is still there beside it.
        Assert.True(File.Exists(Path.Combine(compose, "prometheus.yml")));
    }

    [Fact]
    public void Kubernetes_mounts_the_file_from_a_ConfigMap_and_runs_as_the_images_user()
    {
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(_output, "k8s", "charts.yaml")), strict: true);

        var configMap = objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == "charts-config");
        Assert.Contains("url: http://prometheus:9090", configMap.Data[FileName]);
        // It keeps data in a volume and did not say the data is rebuildable: a StatefulSet.
        var pod = objects.OfType<V1StatefulSet>().Single().Spec.Template.Spec;
        Assert.Equal(472, pod.SecurityContext.RunAsUser);
        var volume = pod.Volumes.Single(v => v.ConfigMap?.Name == "charts-config");
        Assert.Contains(pod.Containers.Single().VolumeMounts, m => m.Name == volume.Name && m.MountPath == FileDirectory && m.ReadOnlyProperty == true);
        Assert.Contains("charts.yaml", File.ReadAllText(Path.Combine(_output, "k8s", "kustomization.yaml")));
    }

    private static string[] Strings(JsonNode array) => [.. array.AsArray().Select(v => (string)v!)];
}
