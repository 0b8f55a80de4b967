using System.Globalization;

namespace MlStack.AppHost.Publishing.Reading;

/// <summary>
/// The container port of every published endpoint, and what an endpoint reference becomes on the container network:
/// the resource's name and that port, plain HTTP (nothing inside the network speaks TLS). Every endpoint a value
/// addresses is added to the caller's list of uses: the connections network policies allow.
/// </summary>
internal sealed class EndpointResolver
{
    private readonly Dictionary<(string Resource, string Endpoint), DeployedPort> _ports = [];
    private readonly HashSet<string> _discoveredPerReplica = new(StringComparer.Ordinal);

    /// <summary>Services that someone reaches replica by replica (known once every config file is rendered).</summary>
    public IReadOnlySet<string> DiscoveredPerReplica => _discoveredPerReplica;

    public void AssignPorts(IResource resource)
    {
        // Inside the network nothing speaks TLS: Aspire's https twins of http endpoints are left out.
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>()
            .Where(e => !string.Equals(e.UriScheme, "https", StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (resource is ProjectResource)
        {
            // A project's own ports are chosen here (8080 upward), not the developer ports from its settings.
            var ordered = endpoints.OrderBy(e => string.Equals(e.Name, "http", StringComparison.OrdinalIgnoreCase) ? 0 : 1).ToList();
            for (var i = 0; i < ordered.Count; i++)
            {
                Add(ordered[i], DeploymentModelReader.FirstProjectPort + i);
            }
            return;
        }
        foreach (var endpoint in endpoints)
        {
            Add(endpoint, endpoint.TargetPort ?? endpoint.Port
                ?? throw new InvalidOperationException($"Endpoint '{endpoint.Name}' of container '{resource.Name}' has no target port to publish."));
        }

        void Add(EndpointAnnotation endpoint, int port) =>
            _ports[(resource.Name, endpoint.Name.ToLowerInvariant())] = new DeployedPort(
                endpoint.Name.ToLowerInvariant(),
                port,
                string.Equals(endpoint.Transport, "http2", StringComparison.OrdinalIgnoreCase),
                endpoint.IsExternal);
    }

    public List<DeployedPort> PortsOf(string resource) =>
        [.. _ports.Where(p => p.Key.Resource == resource).Select(p => p.Value).OrderBy(p => p.Port)];

    public DeployedPort? FindPort(string resource, string endpointName) => _ports.GetValueOrDefault((resource, endpointName.ToLowerInvariant()));

    public DeployedPort PortOf(string resource, string endpointName) =>
        FindPort(resource, endpointName)
        ?? throw new UnpublishedEndpointException($"endpoint '{endpointName}' of '{resource}' is not published (TLS endpoints stay inside the developer loop)");

    public string Value(EndpointReference endpoint, EndpointProperty property, List<DeployedConnection> uses)
    {
        var port = PortOf(endpoint.Resource.Name, endpoint.EndpointName);
        var host = endpoint.Resource.Name;
        uses.Add(new DeployedConnection(host, port));
        return property switch
        {
            EndpointProperty.Url => $"http://{host}:{port.Port}",
            EndpointProperty.Host or EndpointProperty.IPV4Host => host,
            EndpointProperty.Port or EndpointProperty.TargetPort => port.Port.ToString(CultureInfo.InvariantCulture),
            EndpointProperty.Scheme => "http",
            EndpointProperty.HostAndPort => $"{host}:{port.Port}",
            EndpointProperty.TlsEnabled => "false",
            _ => throw new NotSupportedException($"Endpoint property {property} cannot be published."),
        };
    }

    /// <summary>
    /// Each replica answers by its own address under one DNS name: a headless Service in Kubernetes, a network alias in
    /// compose (see the publishers).
    /// </summary>
    public string EveryReplicaAddress(EndpointReference endpoint, List<DeployedConnection> uses)
    {
        var port = PortOf(endpoint.Resource.Name, endpoint.EndpointName);
        uses.Add(new DeployedConnection(endpoint.Resource.Name, port));
        _discoveredPerReplica.Add(endpoint.Resource.Name);
        return $"{endpoint.Resource.Name}{DeploymentModelReader.EveryReplicaSuffix}:{port.Port}";
    }
}

/// <summary>A value addresses an endpoint that has no container form; the value is left out, not the service.</summary>
internal sealed class UnpublishedEndpointException(string message) : Exception(message);
