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
        Assert.Equal(new AutoscalingAnnotation(2, 5, 60), container.Resource.Annotations.OfType<AutoscalingAnnotation>().Single());
        Assert.Equal(new ReplicasAnnotation(3), container.Resource.Annotations.OfType<ReplicasAnnotation>().Single());
        Assert.Equal(new ComputeResourcesAnnotation(0.5, "512Mi"), container.Resource.Annotations.OfType<ComputeResourcesAnnotation>().Single());

        container.WithImageConventions(1000, HealthProbeTool.Bash).WithImageConventions(472, HealthProbeTool.BusyboxWget);
        Assert.Equal(new ImageConventionsAnnotation(472, HealthProbeTool.BusyboxWget), container.Resource.Annotations.OfType<ImageConventionsAnnotation>().Single());
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
    }
}
