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

    public void Validate()
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(this, new ValidationContext(this), results, validateAllProperties: true))
        {
            throw new InvalidOperationException($"{SectionName} is invalid: " + string.Join("; ", results.Select(r => r.ErrorMessage)));
        }
    }
}
