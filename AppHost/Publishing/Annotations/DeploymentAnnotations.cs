namespace MlStack.AppHost.Publishing.Annotations;

/// <summary>The resource needs this many NVIDIA GPUs (compose device reservation, Kubernetes nvidia.com/gpu limit).</summary>
public sealed record GpuAnnotation(int Count) : IResourceAnnotation;

/// <summary>Fixed replica count when the resource does not autoscale.</summary>
public sealed record ReplicasAnnotation(int Count) : IResourceAnnotation;

/// <summary>Horizontal autoscaling on CPU utilisation between <paramref name="Min"/> and <paramref name="Max"/> replicas.</summary>
public sealed record AutoscalingAnnotation(int Min, int Max, int TargetCpuPercent) : IResourceAnnotation;

/// <summary>CPU cores and memory (Kubernetes quantity, e.g. "4Gi") reserved and capped for each replica.</summary>
public sealed record ComputeResourcesAnnotation(double Cpu, string Memory) : IResourceAnnotation;

/// <summary>
/// The resource's volumes hold data it rebuilds by itself (Prometheus scrapes again): Kubernetes runs it as a
/// Deployment on a claim, replaced in place, instead of a StatefulSet.
/// </summary>
public sealed record RebuildableDataAnnotation : IResourceAnnotation;
