namespace MlStack.AppHost.Publishing.Annotations;

/// <summary>
/// Where a config file is rendered: in the developer loop (ports allocated on this machine) or for a published
/// network (resource names and container ports). Callbacks ask it for addresses instead of computing them.
/// </summary>
/// <param name="everyReplica">How every replica of an endpoint is found; without it, the one address of <paramref name="hostAndPort"/> (the developer loop runs one replica).</param>
public sealed class ConfigFileContext(
    Func<EndpointReference, CancellationToken, ValueTask<string>> hostAndPort,
    CancellationToken cancellationToken,
    Func<EndpointReference, CancellationToken, ValueTask<ReplicaAddress>>? everyReplica = null)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>"host:port" at which the endpoint answers the resource that reads the file.</summary>
    public ValueTask<string> HostAndPortAsync(EndpointReference endpoint) => hostAndPort(endpoint, CancellationToken);

    /// <summary>
    /// An address from which each replica of the endpoint can be reached on its own, for readers that must see every
    /// replica rather than one behind a load balancer (Prometheus scraping an autoscaled service).
    /// </summary>
    public async ValueTask<ReplicaAddress> EveryReplicaAsync(EndpointReference endpoint) => everyReplica is null
        ? new ReplicaAddress(await HostAndPortAsync(endpoint), ResolvesEveryReplica: false)
        : await everyReplica(endpoint, CancellationToken);
}

/// <param name="HostAndPort">"host:port".</param>
/// <param name="ResolvesEveryReplica">The host is a DNS name with one address per replica (resolve it, then reach each address); otherwise the one replica's address.</param>
public sealed record ReplicaAddress(string HostAndPort, bool ResolvesEveryReplica);
