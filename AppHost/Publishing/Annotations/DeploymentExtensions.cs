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

    /// <summary>Autoscales between <paramref name="min"/> and <paramref name="max"/> replicas on CPU utilisation.</summary>
    public static IResourceBuilder<T> WithAutoscaling<T>(this IResourceBuilder<T> builder, int min, int max, int targetCpuPercent = 70)
        where T : IResource =>
        builder.WithAutoscaling(min, max, AutoscalingMetric.CpuUtilization(targetCpuPercent));

    /// <summary>Autoscales between <paramref name="min"/> and <paramref name="max"/> replicas on a serving signal (see <see cref="AutoscalingMetric"/>).</summary>
    public static IResourceBuilder<T> WithAutoscaling<T>(this IResourceBuilder<T> builder, int min, int max, AutoscalingMetric metric)
        where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ArgumentNullException.ThrowIfNull(metric);
        return builder.WithAnnotation(new AutoscalingAnnotation(min, max, metric), ResourceAnnotationMutationBehavior.Replace);
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
        ThrowIfNotContainerDirectory(targetDirectory, nameof(targetDirectory));
        return builder.WithAnnotation(new ConfigFileAnnotation(fileName, targetDirectory, render));
    }

    /// <summary>A writable directory of at most <paramref name="sizeMi"/> MiB in an otherwise read-only container (see <see cref="ScratchDirectoryAnnotation"/>).</summary>
    public static IResourceBuilder<T> WithScratchDirectory<T>(this IResourceBuilder<T> builder, string path, int sizeMi) where T : IResource
    {
        ThrowIfNotContainerDirectory(path, nameof(path));
        ArgumentOutOfRangeException.ThrowIfLessThan(sizeMi, 1);
        return builder.WithAnnotation(new ScratchDirectoryAnnotation(path.TrimEnd('/'), sizeMi));
    }

    /// <summary>The path that answers while the process is alive (see <see cref="LivenessCheckAnnotation"/>); MlStack's projects default to ServiceDefaults' /alive.</summary>
    public static IResourceBuilder<T> WithHttpLivenessCheck<T>(this IResourceBuilder<T> builder, string path, string endpointName = "http")
        where T : IResourceWithEndpoints
    {
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"A liveness path starts with '/', not '{path}'.", nameof(path));
        }
        return builder.WithAnnotation(new LivenessCheckAnnotation(endpointName, path), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>Also publishes the resource as a SageMaker and a Vertex AI real-time endpoint (see <see cref="ModelEndpointAnnotation"/>).</summary>
    /// <param name="environment">The endpoints' environment instead of the service's, by name; null leaves a variable out.</param>
    public static IResourceBuilder<T> PublishAsModelEndpoint<T>(this IResourceBuilder<T> builder, string endpointName = "http",
        IReadOnlyDictionary<string, string?>? environment = null) where T : ProjectResource =>
        builder.WithAnnotation(new ModelEndpointAnnotation(endpointName, environment ?? new Dictionary<string, string?>()),
            ResourceAnnotationMutationBehavior.Replace);

    /// <summary>See <see cref="RebuildableDataAnnotation"/>.</summary>
    public static IResourceBuilder<T> WithRebuildableData<T>(this IResourceBuilder<T> builder) where T : IResource =>
        builder.WithAnnotation(new RebuildableDataAnnotation(), ResourceAnnotationMutationBehavior.Replace);

    private static void ThrowIfNotContainerDirectory(string path, string parameterName)
    {
        if (!path.StartsWith('/') || path.TrimEnd('/').Length == 0)
        {
            throw new ArgumentException($"The directory is an absolute path in the container below '/', not '{path}'.", parameterName);
        }
    }

    [GeneratedRegex(@"^[1-9][0-9]*(Mi|Gi)$")]
    private static partial Regex MemoryQuantity();
}
