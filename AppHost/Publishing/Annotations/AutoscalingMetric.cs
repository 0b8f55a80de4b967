namespace MlStack.AppHost.Publishing.Annotations;

/// <summary>
/// The signal an autoscaler follows. CPU suits CPU-bound services; a GPU model server is better scaled on the
/// requests waiting in its queues or on its GPU's busy time. Each publisher maps it to what its platform offers
/// (docs/publishing.md, "Autoscaling on serving signals").
/// </summary>
public abstract partial record AutoscalingMetric
{
    /// <summary>The Prometheus HTTP endpoint a Kubernetes autoscaler reads this metric from (through prometheus-adapter); null for resource metrics.</summary>
    public virtual EndpointReference? PrometheusSource => null;

    /// <summary>Average CPU utilisation of the replicas, in percent of their CPU request.</summary>
    public static AutoscalingMetric CpuUtilization(int targetPercent)
    {
        ThrowIfNotPercent(targetPercent);
        return new CpuUtilizationMetric(targetPercent);
    }

    /// <summary>
    /// Requests waiting per replica, read from a Prometheus gauge that every replica exports (summed over the replicas
    /// and divided by their number). <paramref name="prometheus"/> is the HTTP endpoint of the Prometheus that scrapes
    /// every replica; Kubernetes reads the metric through prometheus-adapter from there.
    /// </summary>
    public static AutoscalingMetric WaitingRequests(EndpointReference prometheus, string metric, int targetPerReplica)
    {
        ArgumentNullException.ThrowIfNull(prometheus);
        if (!PrometheusName().IsMatch(metric))
        {
            throw new ArgumentException($"'{metric}' is not a Prometheus metric name.", nameof(metric));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(targetPerReplica, 1);
        return new WaitingRequestsMetric(prometheus, metric, targetPerReplica);
    }

    /// <summary>
    /// Average GPU utilisation of the replicas, in percent. On Kubernetes it is NVIDIA dcgm-exporter's
    /// DCGM_FI_DEV_GPU_UTIL per pod, read through prometheus-adapter from <paramref name="prometheus"/>, which must
    /// scrape dcgm-exporter; SageMaker and Vertex AI measure it themselves.
    /// </summary>
    public static AutoscalingMetric GpuUtilization(EndpointReference prometheus, int targetPercent)
    {
        ArgumentNullException.ThrowIfNull(prometheus);
        ThrowIfNotPercent(targetPercent);
        return new GpuUtilizationMetric(prometheus, targetPercent);
    }

    private static void ThrowIfNotPercent(int percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial System.Text.RegularExpressions.Regex PrometheusName();
}

public sealed record CpuUtilizationMetric(int TargetPercent) : AutoscalingMetric;

/// <param name="Prometheus">Where the metric can be queried (see <see cref="AutoscalingMetric.WaitingRequests"/>).</param>
public sealed record WaitingRequestsMetric(EndpointReference Prometheus, string Metric, int TargetPerReplica) : AutoscalingMetric
{
    public override EndpointReference? PrometheusSource => Prometheus;
}

/// <param name="Prometheus">Where DCGM's metric can be queried (see <see cref="AutoscalingMetric.GpuUtilization"/>).</param>
public sealed record GpuUtilizationMetric(EndpointReference Prometheus, int TargetPercent) : AutoscalingMetric
{
    public override EndpointReference? PrometheusSource => Prometheus;
}
