using System.Globalization;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Publishing.Yaml;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>
/// HorizontalPodAutoscalers (autoscaling/v2) for the model's autoscaling metric, and the prometheus-adapter Helm
/// values that expose Prometheus metrics to them through the external and custom metrics APIs:
/// <list type="bullet">
/// <item>CPU: a Resource metric, no adapter.</item>
/// <item>Waiting requests: an External metric, the metric summed over every replica, with an AverageValue target,
/// which the autoscaler divides by the current replica count (Prometheus must scrape every replica, see
/// <see cref="DeployedService.EveryReplicaHost"/>).</item>
/// <item>GPU utilisation: a Pods metric, dcgm-exporter's DCGM_FI_DEV_GPU_UTIL per pod, averaged by the autoscaler.</item>
/// </list>
/// </summary>
public sealed class AutoscalerWriter(DeploymentModel model, ManifestMetadata metadata)
{
    public const string AdapterValuesFile = "prometheus-adapter/values.yaml";
    public const string GpuUtilizationMetricName = "mlstack_gpu_utilization";
    private const string DcgmGpuUtilization = "DCGM_FI_DEV_GPU_UTIL";

    public static string WaitingRequestsMetricName(DeployedService service) =>
        DeploymentModelReader.EnvironmentName(service.Name).ToLowerInvariant() + "_waiting_requests";

    public YamlMap Autoscaler(DeployedService service, DeployedAutoscaling autoscaling) =>
        metadata.Object("autoscaling/v2", "HorizontalPodAutoscaler", service.Name, service).Add("spec", new YamlMap()
            .Add("scaleTargetRef", new YamlMap().Add("apiVersion", "apps/v1").Add("kind", "Deployment").Add("name", service.Name))
            .Add("minReplicas", autoscaling.Min)
            .Add("maxReplicas", autoscaling.Max)
            .Add("metrics", new List<YamlMap> { Metric(service, autoscaling.Metric) }));

    private static YamlMap Metric(DeployedService service, AutoscalingMetric metric) => metric switch
    {
        CpuUtilizationMetric cpu => new YamlMap().Add("type", "Resource").Add("resource", new YamlMap()
            .Add("name", "cpu")
            .Add("target", new YamlMap().Add("type", "Utilization").Add("averageUtilization", cpu.TargetPercent))),
        WaitingRequestsMetric waiting => new YamlMap().Add("type", "External").Add("external", new YamlMap()
            .Add("metric", new YamlMap().Add("name", WaitingRequestsMetricName(service)))
            .Add("target", new YamlMap().Add("type", "AverageValue").Add("averageValue", Quantity(waiting.TargetPerReplica)))),
        GpuUtilizationMetric gpu => new YamlMap().Add("type", "Pods").Add("pods", new YamlMap()
            .Add("metric", new YamlMap().Add("name", GpuUtilizationMetricName))
            .Add("target", new YamlMap().Add("type", "AverageValue").Add("averageValue", Quantity(gpu.TargetPercent)))),
        _ => throw new NotSupportedException($"Autoscaling on {metric.GetType().Name} cannot be published to Kubernetes."),
    };

    /// <summary>
    /// Helm values for prometheus-community/prometheus-adapter with one rule per Prometheus-based autoscaler, or null
    /// when every autoscaler uses a resource metric.
    /// </summary>
    public YamlMap? AdapterValues()
    {
        var scaled = model.Services.Where(s => s.Settings.Autoscaling?.MetricsSource is not null).ToList();
        if (scaled.Count == 0)
        {
            return null;
        }
        var sources = scaled.Select(s => s.Settings.Autoscaling!.MetricsSource!).Distinct().ToList();
        if (sources.Count > 1)
        {
            throw new InvalidOperationException(
                "prometheus-adapter reads one Prometheus, but the autoscalers name several: " + string.Join(", ", sources.Select(s => $"{s.Service}:{s.Port.Port}")));
        }

        var external = new List<YamlMap>();
        var custom = new List<YamlMap>();
        foreach (var service in scaled)
        {
            switch (service.Settings.Autoscaling!.Metric)
            {
                case WaitingRequestsMetric waiting:
                    // Not namespaced: the stack's own Prometheus holds this namespace's series only.
                    external.Add(new YamlMap()
                        .Add("seriesQuery", waiting.Metric)
                        .Add("resources", new YamlMap().Add("namespaced", false))
                        .Add("name", new YamlMap().Add("as", WaitingRequestsMetricName(service)))
                        .Add("metricsQuery", "sum(<<.Series>>{<<.LabelMatchers>>})"));
                    break;
                case GpuUtilizationMetric when custom.Count == 0:
                    custom.Add(new YamlMap()
                        .Add("seriesQuery", $"{DcgmGpuUtilization}{{namespace!=\"\",pod!=\"\"}}")
                        .Add("resources", new YamlMap().Add("overrides", new YamlMap()
                            .Add("namespace", new YamlMap().Add("resource", "namespace"))
                            .Add("pod", new YamlMap().Add("resource", "pod"))))
                        .Add("name", new YamlMap().Add("as", GpuUtilizationMetricName))
                        .Add("metricsQuery", "avg by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>})"));
                    break;
            }
        }

        var source = sources[0];
        return new YamlMap()
            .Add("prometheus", new YamlMap()
                .Add("url", $"http://{source.Service}.{metadata.Namespace}.svc")
                .Add("port", source.Port.Port))
            .Add("rules", new YamlMap()
                .Add("default", false)
                .Add("custom", custom)
                .Add("external", external));
    }

    private static string Quantity(int value) => value.ToString(CultureInfo.InvariantCulture);
}
