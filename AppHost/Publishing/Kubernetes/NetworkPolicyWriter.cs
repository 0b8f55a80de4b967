using MlStack.AppHost.Publishing.Yaml;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>
/// Least-privilege traffic, derived from the model only: a namespace-wide default deny, and per workload one policy
/// that admits exactly the services whose addresses point at it (references, config files such as Prometheus's
/// scrape targets), on exactly those ports, and lets it reach exactly the addresses it was given, plus DNS.
/// External endpoints (the dashboard) are open to any source: a LoadBalancer, NodePort or ingress controller sends
/// from outside the namespace. The kubelet's probes come from the node, which network policies never block.
/// </summary>
public sealed class NetworkPolicyWriter(DeploymentModel model, ManifestMetadata metadata, KubernetesPublishOptions options)
{
    public const string DefaultDenyName = "default-deny";
    private const int DnsPort = 53;

    /// <summary>Selects every pod of the namespace and allows nothing; the per-workload policies add what each needs.</summary>
    public YamlMap DefaultDeny() => new YamlMap()
        .Add("apiVersion", "networking.k8s.io/v1")
        .Add("kind", "NetworkPolicy")
        .Add("metadata", new YamlMap().Add("name", DefaultDenyName).Add("namespace", metadata.Namespace)
            .Add("labels", ManifestMetadata.StackLabels(DefaultDenyName)))
        .Add("spec", new YamlMap()
            .Add("podSelector", new YamlMap())
            .Add("policyTypes", new List<string> { "Ingress", "Egress" }));

    public YamlMap For(DeployedService service) =>
        metadata.Object("networking.k8s.io/v1", "NetworkPolicy", service.Name, service).Add("spec", new YamlMap()
            .Add("podSelector", new YamlMap().Add("matchLabels", ManifestMetadata.SelectorLabels(service.Name)))
            .Add("policyTypes", new List<string> { "Ingress", "Egress" })
            .Add("ingress", Ingress(service))
            .Add("egress", Egress(service)));

    private List<YamlMap> Ingress(DeployedService service)
    {
        var rules = new List<YamlMap>();
        foreach (var port in service.Ports)
        {
            if (port.IsExternal)
            {
                rules.Add(new YamlMap().Add("ports", Ports(port.Port)));
                continue;
            }
            var peers = model.Services
                .Where(s => s.Connections.Contains(new DeployedConnection(service.Name, port)))
                .Select(s => new YamlMap().Add("podSelector", new YamlMap().Add("matchLabels", ManifestMetadata.SelectorLabels(s.Name))))
                .ToList<object>();
            if (IsMetricsSource(service, port))
            {
                // prometheus-adapter answers the autoscalers' metric queries from its own namespace.
                peers.Add(new YamlMap().Add("namespaceSelector", new YamlMap().Add("matchLabels",
                    new YamlMap().Add("kubernetes.io/metadata.name", options.MetricsAdapterNamespace))));
            }
            if (peers.Count > 0)
            {
                rules.Add(new YamlMap().Add("from", peers).Add("ports", Ports(port.Port)));
            }
        }
        return rules;
    }

    private static List<YamlMap> Egress(DeployedService service)
    {
        var rules = service.Connections
            .GroupBy(c => c.Service, StringComparer.Ordinal)
            .Select(peer => new YamlMap()
                .Add("to", new List<YamlMap> { new YamlMap().Add("podSelector", new YamlMap().Add("matchLabels", ManifestMetadata.SelectorLabels(peer.Key))) })
                .Add("ports", Ports([.. peer.Select(c => c.Port.Port).Distinct().Order()])))
            .ToList();
        // Names are resolved by the cluster DNS, wherever it runs (kube-dns pods, a node-local cache).
        rules.Add(new YamlMap().Add("ports", new List<YamlMap>
        {
            new YamlMap().Add("port", DnsPort).Add("protocol", "UDP"),
            new YamlMap().Add("port", DnsPort).Add("protocol", "TCP"),
        }));
        return rules;
    }

    private bool IsMetricsSource(DeployedService service, DeployedPort port) =>
        model.Services.Any(s => s.Settings.Autoscaling?.MetricsSource == new DeployedConnection(service.Name, port));

    private static List<YamlMap> Ports(params int[] ports) =>
        [.. ports.Select(p => new YamlMap().Add("port", p).Add("protocol", "TCP"))];
}
