using k8s;
using k8s.Models;

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
    public V1NetworkPolicy DefaultDeny() => new V1NetworkPolicy
    {
        Metadata = new V1ObjectMeta { Name = DefaultDenyName, NamespaceProperty = metadata.Namespace, Labels = ManifestMetadata.StackLabels(DefaultDenyName) },
        Spec = new V1NetworkPolicySpec { PodSelector = new V1LabelSelector(), PolicyTypes = ["Ingress", "Egress"] },
    }.Initialize();

    public V1NetworkPolicy For(DeployedService service) => metadata.Object(new V1NetworkPolicy
    {
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = ManifestMetadata.Selector(service.Name),
            PolicyTypes = ["Ingress", "Egress"],
            Ingress = Ingress(service),
            Egress = Egress(service),
        },
    }, service.Name, service);

    private List<V1NetworkPolicyIngressRule> Ingress(DeployedService service)
    {
        var rules = new List<V1NetworkPolicyIngressRule>();
        foreach (var port in service.Ports)
        {
            if (port.IsExternal)
            {
                rules.Add(new V1NetworkPolicyIngressRule { Ports = Ports(port.Port) });
                continue;
            }
            var peers = model.Services
                .Where(s => s.Connections.Contains(new DeployedConnection(service.Name, port)))
                .Select(s => new V1NetworkPolicyPeer { PodSelector = ManifestMetadata.Selector(s.Name) })
                .ToList();
            if (IsMetricsSource(service, port))
            {
                // prometheus-adapter answers the autoscalers' metric queries from its own namespace.
                peers.Add(new V1NetworkPolicyPeer
                {
                    NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = options.MetricsAdapterNamespace } },
                });
            }
            if (peers.Count > 0)
            {
                rules.Add(new V1NetworkPolicyIngressRule { FromProperty = peers, Ports = Ports(port.Port) });
            }
        }
        return rules;
    }

    private static List<V1NetworkPolicyEgressRule> Egress(DeployedService service)
    {
        var rules = service.Connections
            .GroupBy(c => c.Service, StringComparer.Ordinal)
            .Select(peer => new V1NetworkPolicyEgressRule
            {
                To = [new V1NetworkPolicyPeer { PodSelector = ManifestMetadata.Selector(peer.Key) }],
                Ports = Ports([.. peer.Select(c => c.Port.Port).Distinct().Order()]),
            })
            .ToList();
        // Names are resolved by the cluster DNS, wherever it runs (kube-dns pods, a node-local cache).
        rules.Add(new V1NetworkPolicyEgressRule
        {
            Ports = [new V1NetworkPolicyPort { Port = DnsPort, Protocol = "UDP" }, new V1NetworkPolicyPort { Port = DnsPort, Protocol = "TCP" }],
        });
        return rules;
    }

    private bool IsMetricsSource(DeployedService service, DeployedPort port) =>
        model.Services.Any(s => s.Settings.Autoscaling?.MetricsSource == new DeployedConnection(service.Name, port));

    private static List<V1NetworkPolicyPort> Ports(params int[] ports) =>
        [.. ports.Select(p => new V1NetworkPolicyPort { Port = p, Protocol = "TCP" })];
}
