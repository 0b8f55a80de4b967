using Aspire.Hosting.ApplicationModel;
using k8s.Models;
using MlStack.AppHost.Publishing.Kubernetes;
using MlStack.AppHost.Resources.Prometheus;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// The published network policies against the AppHost model itself: every edge they allow is a reference
/// (WithReference) or a Prometheus scrape target of the model, every such edge is allowed, and nothing else is open
/// except the dashboard's external port, DNS, and prometheus-adapter's queries to the Prometheus the autoscaler reads.
/// </summary>
[Collection(PublishedStackCollection.Name)]
public sealed class NetworkPolicyTests(PublishedStack stack)
{
    private const string AdapterNamespace = "monitoring";

    private KubernetesManifests Manifests => new(stack.KubernetesDirectory);

    private DistributedApplicationModel Model => stack.Model;

    [Fact]
    public void A_default_deny_policy_selects_every_pod_and_allows_nothing()
    {
        var deny = Manifests.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == NetworkPolicyWriter.DefaultDenyName);

        Assert.Empty(deny.Spec.PodSelector.MatchLabels ?? new Dictionary<string, string>());
        Assert.Null(deny.Spec.PodSelector.MatchExpressions);
        Assert.Equal(["Egress", "Ingress"], deny.Spec.PolicyTypes.Order());
        Assert.Null(deny.Spec.Ingress);
        Assert.Null(deny.Spec.Egress);
    }

    [Fact]
    public void Each_workload_has_one_policy_of_its_own_for_both_directions()
    {
        var manifests = Manifests;
        var policies = manifests.OfType<V1NetworkPolicy>().Where(p => p.Metadata.Name != NetworkPolicyWriter.DefaultDenyName).ToList();
        foreach (var workload in manifests.Workloads)
        {
            var own = Assert.Single(policies, p => KubernetesManifests.Selects(p.Spec.PodSelector.MatchLabels, workload.Labels));
            Assert.Equal(workload.Name, own.Metadata.Name);
            Assert.Equal(["Egress", "Ingress"], own.Spec.PolicyTypes.Order());
        }
        Assert.Equal(manifests.Workloads.Count(), policies.Count);
    }

    [Fact]
    public void Allowed_traffic_between_workloads_is_exactly_the_models_references_and_scrape_targets()
    {
        var manifests = Manifests;
        var expected = ModelEdges(manifests);
        Assert.NotEmpty(expected);

        Assert.Equal(expected.Order(), EgressEdges(manifests).Order());
        // An external port admits any source (next test), so edges to it need no rule of their own.
        var external = ExternalPorts(manifests);
        Assert.Equal(expected.Where(e => !external.Contains((e.Target, e.Port))).Order(), IngressEdges(manifests).Order());
        Assert.Contains(expected, e => external.Contains((e.Target, e.Port)));
    }

    [Fact]
    public void Only_vectors_reaches_Chroma_only_vectors_and_the_dashboard_call_inference_and_only_Prometheus_scrapes()
    {
        var ingress = IngressEdges(Manifests).ToList();

        Assert.Equal(["vectors"], Sources(ingress, "chroma", 8000));
        Assert.Equal(["dashboard", "vectors"], Sources(ingress, "inference", 8081));
        // inference's HTTP port serves /metrics and /health: Prometheus scrapes, the dashboard shows its health.
        Assert.Equal(["dashboard", "prometheus"], Sources(ingress, "inference", 8080));
        Assert.Equal(["dashboard", "prometheus"], Sources(ingress, "vectors", 8080));
        Assert.DoesNotContain(ingress, e => e.Source == "prometheus" && e.Port != 8080);
    }

    [Fact]
    public void Nothing_else_is_open_but_the_external_port_DNS_and_the_metrics_adapter()
    {
        var manifests = Manifests;
        var external = Model.Resources.OfType<IResourceWithEndpoints>()
            .SelectMany(r => r.Annotations.OfType<EndpointAnnotation>().Where(e => e.IsExternal && e.UriScheme == "http").Select(_ => r.Name))
            .Distinct().ToList();
        Assert.Equal(["dashboard"], external);

        foreach (var policy in manifests.OfType<V1NetworkPolicy>().Where(p => p.Metadata.Name != NetworkPolicyWriter.DefaultDenyName))
        {
            var name = policy.Metadata.Name;
            foreach (var rule in policy.Spec.Ingress ?? [])
            {
                Assert.NotNull(rule.Ports);
                if (rule.FromProperty is null)
                {
                    // Open to any source: only an external endpoint (a LoadBalancer or ingress controller sends from outside).
                    Assert.Contains(name, external);
                    Assert.Equal([8080], rule.Ports.Select(p => int.Parse(p.Port.Value)));
                    continue;
                }
                foreach (var peer in rule.FromProperty.Where(p => p.PodSelector is null))
                {
                    // From another namespace only for prometheus-adapter, only to the Prometheus an autoscaler reads.
                    Assert.Null(peer.IpBlock);
                    Assert.Equal(AdapterNamespace, peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
                    Assert.Equal("prometheus", name);
                    Assert.Equal([9090], rule.Ports.Select(p => int.Parse(p.Port.Value)));
                }
                Assert.All(rule.FromProperty.Where(p => p.PodSelector is not null), p => Assert.Null(p.NamespaceSelector));
            }
            foreach (var rule in policy.Spec.Egress ?? [])
            {
                if (rule.To is null)
                {
                    Assert.Equal(["53/TCP", "53/UDP"], rule.Ports.Select(p => $"{p.Port.Value}/{p.Protocol}").Order());
                }
                else
                {
                    Assert.All(rule.To, p => Assert.True(p.PodSelector is not null && p.NamespaceSelector is null && p.IpBlock is null, $"{name} reaches beyond its namespace"));
                }
            }
        }
        Assert.Contains(manifests.OfType<V2HorizontalPodAutoscaler>(), h => h.Spec.Metrics.Any(m => m.Type == "External"));
    }

    private static HashSet<(string Service, int Port)> ExternalPorts(KubernetesManifests manifests) =>
    [
        .. from policy in manifests.OfType<V1NetworkPolicy>()
           from rule in policy.Spec.Ingress ?? []
           where rule.FromProperty is null
           from port in rule.Ports
           select (policy.Metadata.Name, int.Parse(port.Port.Value)),
    ];

    private static List<string> Sources(IEnumerable<Edge> edges, string target, int port) =>
        [.. edges.Where(e => e.Target == target && e.Port == port).Select(e => e.Source).Distinct().Order()];

    /// <summary>From the model: each WithReference endpoint and each scrape target, as a port of the target's published Service.</summary>
    private List<Edge> ModelEdges(KubernetesManifests manifests)
    {
        var servicePorts = manifests.ClusterServices.ToDictionary(s => s.Metadata.Name, s => s.Spec.Ports.ToDictionary(p => p.Name, p => p.Port));
        var edges = new HashSet<Edge>();
        foreach (var resource in Model.Resources.Where(r => servicePorts.ContainsKey(r.Name)))
        {
            foreach (var reference in resource.Annotations.OfType<EndpointReferenceAnnotation>())
            {
                var ports = servicePorts[reference.Resource.Name];
                var names = reference.UseAllEndpoints
                    ? reference.Resource.Annotations.OfType<EndpointAnnotation>().Select(e => e.Name)
                    : reference.EndpointNames;
                // TLS endpoints of the developer loop are not published.
                foreach (var endpoint in names.Select(n => n.ToLowerInvariant()).Where(ports.ContainsKey))
                {
                    edges.Add(new Edge(resource.Name, reference.Resource.Name, ports[endpoint]));
                }
            }
            if (resource is IPrometheusResource prometheus)
            {
                foreach (var target in prometheus.ScrapeTargets())
                {
                    edges.Add(new Edge(resource.Name, target.Target.Name, servicePorts[target.Target.Name][target.EndpointName]));
                }
            }
        }
        return [.. edges];
    }

    private static IEnumerable<Edge> IngressEdges(KubernetesManifests manifests) =>
        from policy in manifests.OfType<V1NetworkPolicy>().Where(p => p.Metadata.Name != NetworkPolicyWriter.DefaultDenyName)
        from rule in policy.Spec.Ingress ?? []
        from peer in rule.FromProperty ?? []
        where peer.PodSelector is not null
        from port in rule.Ports
        select new Edge(Workload(manifests, peer.PodSelector.MatchLabels), policy.Metadata.Name, int.Parse(port.Port.Value));

    private static IEnumerable<Edge> EgressEdges(KubernetesManifests manifests) =>
        from policy in manifests.OfType<V1NetworkPolicy>().Where(p => p.Metadata.Name != NetworkPolicyWriter.DefaultDenyName)
        from rule in policy.Spec.Egress ?? []
        from peer in rule.To ?? []
        from port in rule.Ports
        select new Edge(policy.Metadata.Name, Workload(manifests, peer.PodSelector.MatchLabels), int.Parse(port.Port.Value));

    /// <summary>The one workload whose pods a peer selector picks.</summary>
    private static string Workload(KubernetesManifests manifests, IDictionary<string, string> selector) =>
        manifests.Workloads.Single(w => KubernetesManifests.Selects(selector, w.Labels)).Name;

    private sealed record Edge(string Source, string Target, int Port) : IComparable<Edge>
    {
        public int CompareTo(Edge? other) => string.CompareOrdinal(ToString(), other?.ToString());
    }
}
