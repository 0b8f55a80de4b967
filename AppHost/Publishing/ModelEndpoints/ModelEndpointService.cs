using System.Text;

namespace MlStack.AppHost.Publishing.ModelEndpoints;

/// <summary>
/// A service as a managed endpoint runs it: alone, from its image at the build's tag, with its environment minus
/// the variables that only bind its own ports (each platform tells the image where to listen), with the changes the
/// resource asked for (<see cref="DeployedService.ModelEndpointEnvironment"/>). Parameters stay
/// ${NAME} placeholders that the operator fills with envsubst, so no value is ever written.
/// </summary>
public sealed class ModelEndpointService
{
    private ModelEndpointService(DeployedService service, DeployedPort port, IReadOnlyList<KeyValuePair<string, string>> environment,
        IReadOnlyList<DeployedParameter> parameters)
    {
        Service = service;
        Port = port;
        Environment = environment;
        Parameters = parameters;
    }

    public DeployedService Service { get; }

    /// <summary>The HTTP port both platforms send to.</summary>
    public DeployedPort Port { get; }

    /// <summary>Name and value; a parameter appears as ${NAME}.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; }

    /// <summary>The parameters the environment refers to: the variables the operator sets before envsubst.</summary>
    public IReadOnlyList<DeployedParameter> Parameters { get; }

    /// <summary>"mlstack-inference": the endpoint's stable name on both platforms.</summary>
    public string EndpointName => "mlstack-" + Service.Name;

    /// <summary>"mlstack-inference-0-1-0": models and configurations are immutable, one per version.</summary>
    public string VersionedName => $"{EndpointName}-{string.Concat(Service.Image.Tag.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'))}";

    /// <summary>The services published as model endpoints; one that connects to other services cannot be, as it runs alone there.</summary>
    public static IReadOnlyList<ModelEndpointService> From(DeploymentModel model) =>
        [.. model.Services.Where(s => s.ModelEndpoint is not null).Select(For)];

    private static ModelEndpointService For(DeployedService service)
    {
        if (service.Connections.Count > 0)
        {
            throw new InvalidOperationException(
                $"'{service.Name}' is published as a model endpoint, which runs alone, but it connects to {string.Join(", ", service.Connections.Select(c => c.Service).Distinct())}.");
        }
        if (service.Image.OverrideVariable is null)
        {
            throw new InvalidOperationException($"'{service.Name}' is published as a model endpoint, but only MlStack's own project images can be.");
        }
        var own = service.Environment
            .Where(e => !e.BindsOwnEndpoint && !service.ModelEndpointEnvironment.ContainsKey(e.Name))
            .ToList();
        var environment = own
            .Select(e => KeyValuePair.Create(e.Name, Placeholders(e.Value)))
            .Concat(service.ModelEndpointEnvironment.Where(e => e.Value is not null).Select(e => KeyValuePair.Create(e.Key, e.Value!)))
            .ToList();
        var parameters = own
            .SelectMany(e => e.Value.ParameterReferences)
            .Distinct()
            .OrderBy(p => p.EnvironmentName, StringComparer.Ordinal)
            .ToList();
        return new ModelEndpointService(service, service.ModelEndpoint!, environment, parameters);
    }

    /// <summary>The image in a registry the platform pulls from, e.g. "${AWS_ACCOUNT_ID}.dkr.ecr.${AWS_REGION}.amazonaws.com".</summary>
    public string ImageIn(string registry) => $"{registry}/{Service.Image.Reference}";

    /// <summary>The envsubst argument that replaces exactly these variables and leaves every other '$' alone.</summary>
    public static string EnvsubstFormat(IEnumerable<string> variables) => "'" + string.Join(' ', variables.Select(v => "$" + v)) + "'";

    private static string Placeholders(RenderedValue value)
    {
        var text = new StringBuilder();
        foreach (var part in value.Parts)
        {
            text.Append(part switch
            {
                string literal => literal,
                DeployedParameter p => $"${{{p.EnvironmentName}}}",
                _ => throw new InvalidOperationException(),
            });
        }
        return text.ToString();
    }
}
