using System.ComponentModel.DataAnnotations;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>Cluster-specific choices, bound from MlStack:Publish:Kubernetes (appsettings, env or --MlStack:Publish:...).</summary>
public sealed class KubernetesPublishOptions
{
    public const string SectionName = "MlStack:Publish:Kubernetes";

    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string Namespace { get; set; } = "mlstack";

    /// <summary>Service type for resources with external endpoints (the dashboard): ClusterIP, NodePort or LoadBalancer.</summary>
    [Required, RegularExpression("^(ClusterIP|NodePort|LoadBalancer)$")]
    public string ExternalServiceType { get; set; } = "ClusterIP";

    /// <summary>Node labels that GPU pods require; NVIDIA's GPU operator labels GPU nodes this way.</summary>
    public Dictionary<string, string> GpuNodeSelector { get; set; } = new() { ["nvidia.com/gpu.present"] = "true" };

    /// <summary>The taint key GPU nodes carry; GPU pods tolerate it. Empty for no toleration.</summary>
    public string GpuTolerationKey { get; set; } = "nvidia.com/gpu";

    [Required, RegularExpression("^[1-9][0-9]*(Mi|Gi|Ti)$")]
    public string StorageSize { get; set; } = "10Gi";

    /// <summary>Storage class for volumes; empty uses the cluster's default.</summary>
    public string? StorageClassName { get; set; }

    /// <summary>An Ingress for the external services (the dashboard), written only when <see cref="IngressOptions.Host"/> is set.</summary>
    public IngressOptions Ingress { get; set; } = new();

    /// <summary>
    /// The namespace where prometheus-adapter runs (its Helm values are written beside the manifests when an
    /// autoscaler reads a Prometheus metric): the network policy lets it query the stack's Prometheus.
    /// </summary>
    [Required, RegularExpression("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    public string MetricsAdapterNamespace { get; set; } = "monitoring";

    public void Validate()
    {
        SettingsValidation.ThrowIfInvalid(this, SectionName);
        SettingsValidation.ThrowIfInvalid(Ingress, SectionName + ":Ingress");
    }
}

/// <summary>MlStack:Publish:Kubernetes:Ingress.</summary>
public sealed class IngressOptions
{
    /// <summary>The public host name, e.g. mlstack.example.com; empty: no Ingress.</summary>
    [RegularExpression(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", ErrorMessage = "Ingress:Host must be a lower-case DNS name.")]
    public string? Host { get; set; }

    /// <summary>A kubernetes.io/tls Secret in the namespace holding the host's certificate; empty: plain HTTP.</summary>
    [RegularExpression("^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$")]
    public string? TlsSecretName { get; set; }

    /// <summary>The IngressClass to use (e.g. nginx); empty: the cluster's default class.</summary>
    [RegularExpression("^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$")]
    public string? ClassName { get; set; }
}
