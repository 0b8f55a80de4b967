namespace MlStack.AppHost.Publishing.Annotations;

/// <summary>
/// Where a config file is rendered: in the developer loop (ports allocated on this machine) or for a published
/// network (resource names and container ports). Callbacks ask it for addresses instead of computing them.
/// </summary>
public sealed class ConfigFileContext(Func<EndpointReference, CancellationToken, ValueTask<string>> hostAndPort, CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>"host:port" at which the endpoint answers the resource that reads the file.</summary>
    public ValueTask<string> HostAndPortAsync(EndpointReference endpoint) => hostAndPort(endpoint, CancellationToken);
}
