using System.Text.RegularExpressions;

namespace MlStack.AppHost.Publishing.Annotations;

/// <summary>
/// Deployment settings that Aspire's model has no words for. Run mode ignores them; the compose and Kubernetes
/// publishers (AppHost/Publishing) turn them into device reservations, limits, replicas, autoscalers, mounted
/// config files and pod security. Resources attach them; the publishers never ask which resource they publish.
/// </summary>
public static partial class DeploymentExtensions
{
    public static IResourceBuilder<T> WithGpu<T>(this IResourceBuilder<T> builder, int count = 1) where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return builder.WithAnnotation(new GpuAnnotation(count), ResourceAnnotationMutationBehavior.Replace);
    }

    public static IResourceBuilder<T> WithReplicas<T>(this IResourceBuilder<T> builder, int count) where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return builder.WithAnnotation(new ReplicasAnnotation(count), ResourceAnnotationMutationBehavior.Replace);
    }

    public static IResourceBuilder<T> WithAutoscaling<T>(this IResourceBuilder<T> builder, int min, int max, int targetCpuPercent = 70)
        where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentOutOfRangeException.ThrowIfLessThan(targetCpuPercent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetCpuPercent, 100);
        return builder.WithAnnotation(new AutoscalingAnnotation(min, max, targetCpuPercent), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <param name="cpu">Cores per replica, e.g. 0.5 or 2.</param>
    /// <param name="memory">A binary quantity per replica: "512Mi" or "4Gi".</param>
    public static IResourceBuilder<T> WithResources<T>(this IResourceBuilder<T> builder, double cpu, string memory) where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cpu, 0.001);
        if (!MemoryQuantity().IsMatch(memory))
        {
            throw new ArgumentException($"Memory must be a whole number of Mi or Gi (e.g. \"512Mi\", \"4Gi\"), not '{memory}'.", nameof(memory));
        }
        return builder.WithAnnotation(new ComputeResourcesAnnotation(cpu, memory), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>The image's non-root user and the tool its health check runs with (see <see cref="ImageConventionsAnnotation"/>).</summary>
    public static IResourceBuilder<T> WithImageConventions<T>(this IResourceBuilder<T> builder, long runAsUser, HealthProbeTool probeTool)
        where T : ContainerResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runAsUser, 1);
        return builder.WithAnnotation(new ImageConventionsAnnotation(runAsUser, probeTool), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>A file rendered from the app model and mounted read-only at <paramref name="targetDirectory"/>.</summary>
    public static IResourceBuilder<T> WithConfigFile<T>(
        this IResourceBuilder<T> builder, string fileName, string targetDirectory, Func<ConfigFileContext, Task<string>> render) where T : IResource
    {
        if (string.IsNullOrEmpty(fileName) || fileName != Path.GetFileName(fileName))
        {
            throw new ArgumentException($"A config file name is one plain file name, not '{fileName}'.", nameof(fileName));
        }
        if (!targetDirectory.StartsWith('/'))
        {
            throw new ArgumentException($"The target directory is an absolute path in the container, not '{targetDirectory}'.", nameof(targetDirectory));
        }
        return builder.WithAnnotation(new ConfigFileAnnotation(fileName, targetDirectory, render));
    }

    /// <summary>See <see cref="RebuildableDataAnnotation"/>.</summary>
    public static IResourceBuilder<T> WithRebuildableData<T>(this IResourceBuilder<T> builder) where T : IResource =>
        builder.WithAnnotation(new RebuildableDataAnnotation(), ResourceAnnotationMutationBehavior.Replace);

    [GeneratedRegex(@"^[1-9][0-9]*(Mi|Gi)$")]
    private static partial Regex MemoryQuantity();
}
