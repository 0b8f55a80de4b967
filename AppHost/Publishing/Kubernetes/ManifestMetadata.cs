using MlStack.AppHost.Publishing.Yaml;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>apiVersion, kind, name, namespace and the app.kubernetes.io labels every manifest carries.</summary>
public sealed class ManifestMetadata(string @namespace)
{
    public const string PartOf = "mlstack";
    private const string ManagedBy = "mlstack-publisher";

    public string Namespace { get; } = @namespace;

    public YamlMap Object(string apiVersion, string kind, string name, DeployedService service) => new YamlMap()
        .Add("apiVersion", apiVersion)
        .Add("kind", kind)
        .Add("metadata", new YamlMap().Add("name", name).Add("namespace", Namespace).Add("labels", Labels(service)));

    /// <summary>The labels that select a service's pods; peers in network policies are selected by them too.</summary>
    public static YamlMap SelectorLabels(string service) => new YamlMap()
        .Add("app.kubernetes.io/name", service)
        .Add("app.kubernetes.io/instance", PartOf);

    /// <summary>For objects of the whole stack rather than of one service (the default-deny policy).</summary>
    public static YamlMap StackLabels(string name) => new YamlMap()
        .Add("app.kubernetes.io/name", name)
        .Add("app.kubernetes.io/part-of", PartOf)
        .Add("app.kubernetes.io/managed-by", ManagedBy);

    public static YamlMap Labels(DeployedService service) => SelectorLabels(service.Name)
        .Add("app.kubernetes.io/component", service.Kind == ServiceKind.Project ? "service" : service.Name)
        .Add("app.kubernetes.io/part-of", PartOf)
        .Add("app.kubernetes.io/version", service.Image.Tag)
        .Add("app.kubernetes.io/managed-by", ManagedBy);
}
