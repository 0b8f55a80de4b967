namespace MlStack.AppHost.Publishing.Annotations;

/// <summary>The resource needs this many NVIDIA GPUs (compose device reservation, Kubernetes nvidia.com/gpu limit).</summary>
public sealed record GpuAnnotation(int Count) : IResourceAnnotation;

/// <summary>Fixed replica count when the resource does not autoscale.</summary>
public sealed record ReplicasAnnotation(int Count) : IResourceAnnotation;

/// <summary>Horizontal autoscaling between <paramref name="Min"/> and <paramref name="Max"/> replicas, following <paramref name="Metric"/>.</summary>
public sealed record AutoscalingAnnotation(int Min, int Max, AutoscalingMetric Metric) : IResourceAnnotation;

/// <summary>CPU cores and memory (Kubernetes quantity, e.g. "4Gi") reserved and capped for each replica.</summary>
public sealed record ComputeResourcesAnnotation(double Cpu, string Memory) : IResourceAnnotation;

/// <summary>
/// The resource's volumes hold data it rebuilds by itself (Prometheus scrapes again): Kubernetes runs it as a
/// Deployment on a claim, replaced in place, instead of a StatefulSet.
/// </summary>
public sealed record RebuildableDataAnnotation : IResourceAnnotation;

/// <summary>
/// A directory the process writes although it keeps nothing there (temporary files, a cache it rebuilds at start).
/// Published containers have a read-only root file system, so each such directory gets its own writable mount:
/// an emptyDir in Kubernetes, a tmpfs in compose, of at most <paramref name="SizeMi"/> MiB.
/// </summary>
public sealed record ScratchDirectoryAnnotation(string Path, int SizeMi) : IResourceAnnotation;

/// <summary>
/// The HTTP path that answers 200 while the process itself works, whatever its models and dependencies do. Kubernetes
/// restarts a container only on this check (liveness and startup); the health check (<c>WithHttpHealthCheck</c>)
/// decides readiness only, so a broken model takes a pod out of rotation but never into a restart loop.
/// </summary>
public sealed record LivenessCheckAnnotation(string EndpointName, string Path) : IResourceAnnotation;

/// <summary>
/// The resource is also published as a managed real-time model endpoint (out/sagemaker, out/vertex): the same image,
/// serving the SageMaker and Vertex AI container contracts on its HTTP endpoint <paramref name="EndpointName"/>.
/// </summary>
/// <param name="Environment">
/// What the endpoints' environment has instead of the service's own, by name: a value replaces or adds a variable,
/// null leaves it out (e.g. a key the platform's own authentication replaces).
/// </param>
public sealed record ModelEndpointAnnotation(string EndpointName, IReadOnlyDictionary<string, string?> Environment) : IResourceAnnotation;
