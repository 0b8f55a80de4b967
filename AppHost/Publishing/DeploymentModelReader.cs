using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MlStack.AppHost.Publishing.Reading;

namespace MlStack.AppHost.Publishing;

/// <summary>
/// Walks the Aspire app model once and renders it for a container network: ports are assigned first
/// (<see cref="EndpointResolver"/>), then each resource is read as a service (<see cref="ServiceReader"/>), where it
/// is reached by its resource name and container port; parameters stay references (a secret's value is never asked
/// for). Every address a service is given is also recorded as a connection, the only traffic network policies allow.
/// </summary>
/// <param name="imageTag">The tag of MlStack's own images (the build's version, see <see cref="PublishOptions"/>).</param>
public sealed partial class DeploymentModelReader(
    DistributedApplicationModel model,
    DistributedApplicationExecutionContext executionContext,
    string repositoryRoot,
    string imageTag,
    ILogger logger)
{
    /// <summary>Projects listen here inside their containers; the endpoint named "http" gets the first port.</summary>
    public const int FirstProjectPort = 8080;

    /// <summary>Appended to a service's name for the DNS name that resolves to each of its replicas.</summary>
    public const string EveryReplicaSuffix = "-replicas";

    public async Task<DeploymentModel> ReadAsync(CancellationToken cancellationToken)
    {
        var parameters = model.Resources.OfType<ParameterResource>().ToDictionary(
            p => p.Name, p => new DeployedParameter(p.Name, EnvironmentName(p.Name), p.Secret), StringComparer.Ordinal);
        var endpoints = new EndpointResolver();
        var published = new List<IResource>();
        foreach (var resource in model.Resources)
        {
            switch (resource)
            {
                case ProjectResource or ContainerResource:
                    published.Add(resource);
                    endpoints.AssignPorts(resource);
                    break;
                case ParameterResource:
                    break;
                default:
                    logger.LogWarning("Resource {Resource} ({Type}) has no container form and is not published.", resource.Name, resource.GetType().Name);
                    break;
            }
        }

        var reader = new ServiceReader(executionContext, repositoryRoot, imageTag, endpoints, new ValueRenderer(parameters, endpoints), logger);
        var services = new List<DeployedService>();
        foreach (var resource in published)
        {
            services.Add(await reader.ReadAsync(resource, published, cancellationToken));
        }
        // Known only once every config file is rendered: which services someone reaches replica by replica.
        services = [.. services.Select(s => endpoints.DiscoveredPerReplica.Contains(s.Name) ? s with { EveryReplicaHost = s.Name + EveryReplicaSuffix } : s)];
        // Compose writes config files side by side, so a name may be used once in the whole model.
        if (services.SelectMany(s => s.ConfigFiles.Select(f => (s.Name, f.FileName))).GroupBy(f => f.FileName).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new InvalidOperationException(
                $"Config file '{clash.Key}' is attached more than once ({string.Join(", ", clash.Select(f => f.Name))}); give each a name of its own.");
        }
        return new DeploymentModel(services, [.. parameters.Values.OrderBy(p => p.Name, StringComparer.Ordinal)]);
    }

    /// <summary>"vectors-api-key" becomes VECTORS_API_KEY.</summary>
    public static string EnvironmentName(string name) => NonIdentifier().Replace(name, "_").ToUpperInvariant();

    [GeneratedRegex("[^A-Za-z0-9]")]
    private static partial Regex NonIdentifier();
}
