using k8s;
using k8s.Models;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>Name, namespace and the app.kubernetes.io labels every manifest carries, and apiVersion and kind from the model type.</summary>
public sealed class ManifestMetadata(string @namespace)
{
    public const string PartOf = "mlstack";
    private const string ManagedBy = "mlstack-publisher";

    public string Namespace { get; } = @namespace;

    /// <summary>The object with its type's apiVersion and kind, named in the namespace with the service's labels.</summary>
    public T Object<T>(T value, string name, DeployedService service) where T : IKubernetesObject<V1ObjectMeta>
    {
        value.Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Labels = Labels(service) };
        return value.Initialize();
    }

    /// <summary>The labels that select a service's pods; peers in network policies are selected by them too.</summary>
    public static Dictionary<string, string> SelectorLabels(string service) => new()
    {
        ["app.kubernetes.io/name"] = service,
        ["app.kubernetes.io/instance"] = PartOf,
    };

    public static V1LabelSelector Selector(string service) => new() { MatchLabels = SelectorLabels(service) };

    /// <summary>For objects of the whole stack rather than of one service (the default-deny policy).</summary>
    public static Dictionary<string, string> StackLabels(string name) => new()
    {
        ["app.kubernetes.io/name"] = name,
        ["app.kubernetes.io/part-of"] = PartOf,
        ["app.kubernetes.io/managed-by"] = ManagedBy,
    };

    public static Dictionary<string, string> Labels(DeployedService service)
    {
        var labels = SelectorLabels(service.Name);
        labels["app.kubernetes.io/component"] = service.Kind == ServiceKind.Project ? "service" : service.Name;
        labels["app.kubernetes.io/part-of"] = PartOf;
        labels["app.kubernetes.io/version"] = service.Image.Tag;
        labels["app.kubernetes.io/managed-by"] = ManagedBy;
        return labels;
    }
}
