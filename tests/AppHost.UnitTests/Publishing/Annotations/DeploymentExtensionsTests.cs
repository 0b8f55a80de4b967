using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using MlStack.AppHost.Publishing.Annotations;

namespace MlStack.AppHost.UnitTests.Publishing.Annotations;

public sealed class DeploymentExtensionsTests
{
    [Fact]
    public void Settings_become_annotations_and_the_last_call_wins()
    {
        var builder = DistributedApplication.CreateBuilder();
        var container = builder.AddContainer("c", "image")
            .WithGpu(1).WithGpu(2)
            .WithAutoscaling(2, 5, 60)
            .WithReplicas(3)
            .WithResources(0.5, "512Mi");

        Assert.Equal(new GpuAnnotation(2), container.Resource.Annotations.OfType<GpuAnnotation>().Single());
        Assert.Equal(new AutoscalingAnnotation(2, 5, new CpuUtilizationMetric(60)), container.Resource.Annotations.OfType<AutoscalingAnnotation>().Single());
        Assert.Equal(new ReplicasAnnotation(3), container.Resource.Annotations.OfType<ReplicasAnnotation>().Single());
        Assert.Equal(new ComputeResourcesAnnotation(0.5, "512Mi"), container.Resource.Annotations.OfType<ComputeResourcesAnnotation>().Single());

        container.WithImageConventions(1000, HealthProbeTool.Bash).WithImageConventions(472, HealthProbeTool.BusyboxWget);
        Assert.Equal(new ImageConventionsAnnotation(472, HealthProbeTool.BusyboxWget), container.Resource.Annotations.OfType<ImageConventionsAnnotation>().Single());

        container.WithHttpLivenessCheck("/live").WithHttpLivenessCheck("/alive", endpointName: "admin");
        Assert.Equal(new LivenessCheckAnnotation("admin", "/alive"), container.Resource.Annotations.OfType<LivenessCheckAnnotation>().Single());

        // Scratch directories add up, one per path, without a trailing slash.
        container.WithScratchDirectory("/tmp/", 64).WithScratchDirectory("/var/cache", 128);
        Assert.Equal([new ScratchDirectoryAnnotation("/tmp", 64), new ScratchDirectoryAnnotation("/var/cache", 128)], container.Resource.Annotations.OfType<ScratchDirectoryAnnotation>());
    }

    [Fact]
    public void Serving_signals_name_the_Prometheus_they_are_read_from()
    {
        var builder = DistributedApplication.CreateBuilder();
        var prometheus = builder.AddContainer("prometheus", "prom/prometheus").WithHttpEndpoint(targetPort: 9090, name: "http").GetEndpoint("http");
        var server = builder.AddContainer("server", "image")
            .WithAutoscaling(1, 8, AutoscalingMetric.WaitingRequests(prometheus, "queue_depth", targetPerReplica: 4));

        var metric = Assert.IsType<WaitingRequestsMetric>(server.Resource.Annotations.OfType<AutoscalingAnnotation>().Single().Metric);
        Assert.Same(prometheus, metric.PrometheusSource);
        Assert.Equal(("queue_depth", 4), (metric.Metric, metric.TargetPerReplica));
        Assert.Same(prometheus, AutoscalingMetric.GpuUtilization(prometheus, 60).PrometheusSource);
        Assert.Null(AutoscalingMetric.CpuUtilization(60).PrometheusSource);
    }

    [Fact]
    public void Impossible_settings_are_rejected_with_clear_errors()
    {
        var container = DistributedApplication.CreateBuilder().AddContainer("c", "image");
        Assert.Throws<ArgumentOutOfRangeException>(() => container.WithGpu(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => container.WithAutoscaling(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => container.WithAutoscaling(1, 2, 150));
        Assert.Throws<ArgumentOutOfRangeException>(() => container.WithReplicas(0));
        var memory = Assert.Throws<ArgumentException>(() => container.WithResources(1, "4GB"));
        Assert.Contains("4GB", memory.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => container.WithImageConventions(0, HealthProbeTool.Bash));
        Assert.Contains("'conf/app.conf'", Assert.Throws<ArgumentException>(() => container.WithConfigFile("conf/app.conf", "/etc", _ => Task.FromResult(""))).Message);
        Assert.Contains("'etc/app'", Assert.Throws<ArgumentException>(() => container.WithConfigFile("app.conf", "etc/app", _ => Task.FromResult(""))).Message);
        Assert.Contains("'tmp'", Assert.Throws<ArgumentException>(() => container.WithScratchDirectory("tmp", 64)).Message);
        Assert.Throws<ArgumentException>(() => container.WithScratchDirectory("/", 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => container.WithScratchDirectory("/tmp", 0));
        Assert.Contains("'alive'", Assert.Throws<ArgumentException>(() => container.WithHttpLivenessCheck("alive")).Message);

        var prometheus = container.GetEndpoint("http");
        Assert.Contains("'queue depth'", Assert.Throws<ArgumentException>(() => AutoscalingMetric.WaitingRequests(prometheus, "queue depth", 4)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => AutoscalingMetric.WaitingRequests(prometheus, "queue_depth", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => AutoscalingMetric.GpuUtilization(prometheus, 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => container.WithAutoscaling(0, 2, AutoscalingMetric.CpuUtilization(50)));
    }
}
