using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Resources.Chroma;
using MlStack.AppHost.Resources.Prometheus;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Runtime;

/// <summary>The real AppHost's model in each runtime, inspected without starting anything (no engine needed).</summary>
public sealed class ContainersModelTests
{
    [Fact]
    public async Task ContainersModeRunsPinnedImagesWithNamedVolumes()
    {
        var model = await BuildModelAsync("containers");

        var chroma = Assert.IsType<ChromaContainerResource>(model.Resources.Single(r => r.Name == "chroma"));
        AssertImage(chroma, ChromaBuilderExtensions.Image, ChromaBuilderExtensions.ImageTag);
        AssertNamedVolume(chroma, "mlstack-chroma-data", "/data");

        var prometheus = Assert.IsType<PrometheusContainerResource>(model.Resources.Single(r => r.Name == "prometheus"));
        AssertImage(prometheus, PrometheusBuilderExtensions.Image, PrometheusBuilderExtensions.ImageTag);
        AssertNamedVolume(prometheus, "mlstack-prometheus-data", "/prometheus");
        Assert.DoesNotContain("latest", ChromaBuilderExtensions.ImageTag + PrometheusBuilderExtensions.ImageTag);

        // What the publishers need, stated by the resources themselves.
        Assert.Equal(new ImageConventionsAnnotation(1000, HealthProbeTool.Bash), chroma.Annotations.OfType<ImageConventionsAnnotation>().Single());
        Assert.Equal(new ImageConventionsAnnotation(65534, HealthProbeTool.BusyboxWget), prometheus.Annotations.OfType<ImageConventionsAnnotation>().Single());
        Assert.Single(prometheus.Annotations.OfType<RebuildableDataAnnotation>());
        var config = Assert.Single(prometheus.Annotations.OfType<ConfigFileAnnotation>());
        Assert.Equal(("prometheus.yml", "/etc/prometheus"), (config.FileName, config.TargetDirectory));
    }

    [Fact]
    public async Task ProcessesModeRunsChromaAndPrometheusAsExecutables()
    {
        var model = await BuildModelAsync("processes");

        Assert.IsType<ChromaProcessResource>(model.Resources.Single(r => r.Name == "chroma"));
        Assert.IsType<PrometheusProcessResource>(model.Resources.Single(r => r.Name == "prometheus"));
        Assert.DoesNotContain(model.Resources, r => r.Annotations.OfType<ContainerImageAnnotation>().Any());
    }

    [Theory]
    [InlineData("containers")]
    [InlineData("processes")]
    public async Task EveryResourceHasAHealthCheckAndStartsInOrder(string runtime)
    {
        var model = await BuildModelAsync(runtime);
        // Aspire adds hidden helpers (e.g. project rebuilders); the stack's own resources are these five.
        var resources = new[] { "chroma", "dashboard", "inference", "prometheus", "vectors" }
            .ToDictionary(name => name, name => model.Resources.Single(r => r.Name == name));

        Assert.All(resources.Values, r => Assert.True(r.Annotations.OfType<HealthCheckAnnotation>().Any(), $"{r.Name} has no health check"));
        Assert.Equal(["chroma", "inference"], WaitsFor(resources["vectors"]));
        Assert.Equal(["inference", "prometheus", "vectors"], WaitsFor(resources["dashboard"]));

        var scraped = Assert.IsAssignableFrom<IPrometheusResource>(resources["prometheus"]).ScrapeTargets().Select(t => (t.Target.Name, t.EndpointName, t.MetricsPath));
        Assert.Equal(
            [("dashboard", "http", "/metrics"), ("inference", "http", "/metrics"), ("vectors", "http", "/metrics")],
            scraped.Order());
    }

    private static string[] WaitsFor(IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource.Name).Order().ToArray();

    private static void AssertImage(IResource resource, string image, string tag)
    {
        var annotation = Assert.Single(resource.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(image, annotation.Image);
        Assert.Equal(tag, annotation.Tag);
    }

    private static void AssertNamedVolume(IResource resource, string name, string target)
    {
        Assert.Contains(resource.Annotations.OfType<ContainerMountAnnotation>(),
            m => m.Type == ContainerMountType.Volume && m.Source == name && m.Target == target);
    }

    private static async Task<DistributedApplicationModel> BuildModelAsync(string runtime)
    {
        using var state = new TestDirectory();
        return await AppHostModel.BuildAsync($"MlStack:Runtime={runtime}", $"MlStack:StateDirectory={state.Path}");
    }
}
