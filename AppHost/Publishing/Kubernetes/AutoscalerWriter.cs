using System.Globalization;
using MlStack.AppHost.Publishing.Annotations;
using k8s.Models;

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

    public V2HorizontalPodAutoscaler Autoscaler(DeployedService service, DeployedAutoscaling autoscaling) => metadata.Object(new V2HorizontalPodAutoscaler
    {
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = service.Name },
            MinReplicas = autoscaling.Min,
            MaxReplicas = autoscaling.Max,
            Metrics = [Metric(service, autoscaling.Metric)],
        },
    }, service.Name, service);

    private static V2MetricSpec Metric(DeployedService service, AutoscalingMetric metric) => metric switch
    {
        CpuUtilizationMetric cpu => new V2MetricSpec
        {
            Type = "Resource",
            Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = cpu.TargetPercent } },
        },
        WaitingRequestsMetric waiting => new V2MetricSpec
        {
            Type = "External",
            External = new V2ExternalMetricSource
            {
                Metric = new V2MetricIdentifier { Name = WaitingRequestsMetricName(service) },
                Target = new V2MetricTarget { Type = "AverageValue", AverageValue = Quantity(waiting.TargetPerReplica) },
            },
        },
        GpuUtilizationMetric gpu => new V2MetricSpec
        {
            Type = "Pods",
            Pods = new V2PodsMetricSource
            {
                Metric = new V2MetricIdentifier { Name = GpuUtilizationMetricName },
                Target = new V2MetricTarget { Type = "AverageValue", AverageValue = Quantity(gpu.TargetPercent) },
            },
        },
        _ => throw new NotSupportedException($"Autoscaling on {metric.GetType().Name} cannot be published to Kubernetes."),
    };

    /// <summary>
    /// Helm values for prometheus-community/prometheus-adapter with one rule per Prometheus-based autoscaler, or null
    /// when every autoscaler uses a resource metric.
    /// </summary>
    public PrometheusAdapterValues? AdapterValues()
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

        var source = sources[0];
        var values = new PrometheusAdapterValues
        {
            Prometheus = new AdapterPrometheus($"http://{source.Service}.{metadata.Namespace}.svc", source.Port.Port),
            Rules = new AdapterRules { Default = false },
        };
        foreach (var service in scaled)
        {
            switch (service.Settings.Autoscaling!.Metric)
            {
                case WaitingRequestsMetric waiting:
                    // Not namespaced: the stack's own Prometheus holds this namespace's series only.
                    values.Rules.External.Add(new AdapterRule
                    {
                        SeriesQuery = waiting.Metric,
                        Resources = new AdapterResources(Namespaced: false),
                        Name = new AdapterMetricName(WaitingRequestsMetricName(service)),
                        MetricsQuery = "sum(<<.Series>>{<<.LabelMatchers>>})",
                    });
                    break;
                case GpuUtilizationMetric when values.Rules.Custom.Count == 0:
                    values.Rules.Custom.Add(new AdapterRule
                    {
                        SeriesQuery = $"{DcgmGpuUtilization}{{namespace!=\"\",pod!=\"\"}}",
                        Resources = new AdapterResources(Overrides: new()
                        {
                            ["namespace"] = new AdapterResourceOverride("namespace"),
                            ["pod"] = new AdapterResourceOverride("pod"),
                        }),
                        Name = new AdapterMetricName(GpuUtilizationMetricName),
                        MetricsQuery = "avg by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>})",
                    });
                    break;
            }
        }
        return values;
    }

    private static ResourceQuantity Quantity(int value) => new(value.ToString(CultureInfo.InvariantCulture));
}
