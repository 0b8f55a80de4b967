using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MlStack.AppHost.Publishing.Annotations;

namespace MlStack.AppHost.Publishing;

/// <summary>
/// Walks the Aspire app model once and renders it for a container network: each service is reached by its
/// resource name and container port; parameters stay references (a secret's value is never asked for). Every
/// address a service is given is also recorded as a connection, the only traffic network policies allow.
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

    private readonly Dictionary<(string Resource, string Endpoint), DeployedPort> _ports = [];
    private readonly Dictionary<string, DeployedParameter> _parameters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _discoveredPerReplica = new(StringComparer.Ordinal);

    public async Task<DeploymentModel> ReadAsync(CancellationToken cancellationToken)
    {
        foreach (var parameter in model.Resources.OfType<ParameterResource>())
        {
            _parameters[parameter.Name] = new DeployedParameter(parameter.Name, EnvironmentName(parameter.Name), parameter.Secret);
        }

        var published = new List<IResource>();
        foreach (var resource in model.Resources)
        {
            switch (resource)
            {
                case ProjectResource or ContainerResource:
                    published.Add(resource);
                    AssignPorts(resource);
                    break;
                case ParameterResource:
                    break;
                default:
                    logger.LogWarning("Resource {Resource} ({Type}) has no container form and is not published.", resource.Name, resource.GetType().Name);
                    break;
            }
        }

        var services = new List<DeployedService>();
        foreach (var resource in published)
        {
            services.Add(await ReadServiceAsync(resource, published, cancellationToken));
        }
        // Known only once every config file is rendered: which services someone reaches replica by replica.
        services = [.. services.Select(s => _discoveredPerReplica.Contains(s.Name) ? s with { EveryReplicaHost = s.Name + EveryReplicaSuffix } : s)];
        // Compose writes config files side by side, so a name may be used once in the whole model.
        if (services.SelectMany(s => s.ConfigFiles.Select(f => (s.Name, f.FileName))).GroupBy(f => f.FileName).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new InvalidOperationException(
                $"Config file '{clash.Key}' is attached more than once ({string.Join(", ", clash.Select(f => f.Name))}); give each a name of its own.");
        }
        return new DeploymentModel(services, [.. _parameters.Values.OrderBy(p => p.Name, StringComparer.Ordinal)]);
    }

    private async Task<DeployedService> ReadServiceAsync(IResource resource, List<IResource> published, CancellationToken cancellationToken)
    {
        var kind = resource is ProjectResource ? ServiceKind.Project : ServiceKind.Container;
        var image = kind == ServiceKind.Project ? ProjectImage((ProjectResource)resource) : ContainerImage(resource);
        var ports = _ports.Where(p => p.Key.Resource == resource.Name).Select(p => p.Value).OrderBy(p => p.Port).ToList();
        var connections = new ConnectionRecorder(resource.Name);
        var healthCheck = ReadHealthCheck(resource);

        return new DeployedService(
            resource.Name,
            kind,
            image,
            ports,
            await ReadEnvironmentAsync(resource, connections, cancellationToken),
            await ReadArgsAsync(resource, connections, cancellationToken),
            ReadVolumes(resource),
            await ReadConfigFilesAsync(resource, connections, cancellationToken),
            healthCheck,
            [.. resource.Annotations.OfType<WaitAnnotation>()
                .Where(w => published.Contains(w.Resource))
                .Select(w => new DeployedDependency(w.Resource.Name, w.WaitType))
                .DistinctBy(d => d.Service)],
            ReadSettings(resource, kind))
        {
            LivenessCheck = ReadLivenessCheck(resource, kind, healthCheck),
            Connections = connections.Connections,
            ModelEndpoint = resource.TryGetLastAnnotation<ModelEndpointAnnotation>(out var modelEndpoint)
                ? PortOf(resource.Name, modelEndpoint.EndpointName)
                : null,
            ModelEndpointEnvironment = modelEndpoint?.Environment ?? new Dictionary<string, string?>(),
        };
    }

    private void AssignPorts(IResource resource)
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
                Add(ordered[i], FirstProjectPort + i);
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

    /// <summary>A project with a Dockerfile in its folder is built by it; any other by the shared ASP.NET Dockerfile.</summary>
    private DeployedImage ProjectImage(ProjectResource project)
    {
        var projectPath = project.GetProjectMetadata().ProjectPath;
        var ownDockerfile = Path.Combine(Path.GetDirectoryName(projectPath)!, "Dockerfile");
        var image = new DeployedImage($"mlstack/{project.Name}", imageTag, RepositoryPath(ownDockerfile))
        {
            OverrideVariable = EnvironmentName(project.Name) + "_IMAGE",
        };
        if (File.Exists(ownDockerfile))
        {
            return image;
        }

        var projectName = Path.GetFileNameWithoutExtension(projectPath);
        if (RepositoryPath(projectPath) != $"{projectName}/{projectName}.csproj")
        {
            throw new InvalidOperationException(
                $"Project '{project.Name}' ({projectPath}) has no Dockerfile of its own, and {MlStackImages.SharedDockerfile} builds only " +
                "a project whose folder is named like it, at the repository root.");
        }
        return image with
        {
            Dockerfile = MlStackImages.SharedDockerfile,
            BuildArgs = new Dictionary<string, string> { [MlStackImages.ProjectArgument] = projectName },
        };
    }

    private string RepositoryPath(string path) => Path.GetRelativePath(repositoryRoot, path).Replace('\\', '/');

    private static DeployedImage ContainerImage(IResource container)
    {
        if (!container.TryGetLastAnnotation<ContainerImageAnnotation>(out var image))
        {
            throw new InvalidOperationException($"Container '{container.Name}' has no image.");
        }
        var repository = string.IsNullOrEmpty(image.Registry) ? image.Image : $"{image.Registry}/{image.Image}";
        return new DeployedImage(repository, image.Tag ?? "latest", null);
    }

    private async Task<List<DeployedEnvironmentVariable>> ReadEnvironmentAsync(IResource resource, ConnectionRecorder connections, CancellationToken cancellationToken)
    {
        var context = new EnvironmentCallbackContext(executionContext, resource, cancellationToken: cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        var environment = new List<DeployedEnvironmentVariable>();
        foreach (var (name, value) in context.EnvironmentVariables)
        {
            try
            {
                var uses = new List<DeployedConnection>();
                var rendered = Render(value, uses);
                environment.Add(new DeployedEnvironmentVariable(name, rendered, connections.Record(uses)));
            }
            catch (UnpublishedEndpointException e)
            {
                logger.LogInformation("{Resource}: {Variable} is left out: {Reason}", resource.Name, name, e.Message);
            }
        }
        return environment;
    }

    private async Task<List<RenderedValue>> ReadArgsAsync(IResource resource, ConnectionRecorder connections, CancellationToken cancellationToken)
    {
        var args = new List<object>();
        var context = new CommandLineArgsCallbackContext(args, resource, cancellationToken) { ExecutionContext = executionContext };
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        var rendered = new List<RenderedValue>();
        foreach (var arg in args)
        {
            var uses = new List<DeployedConnection>();
            rendered.Add(Render(arg, uses));
            connections.Record(uses);
        }
        return rendered;
    }

    private static List<DeployedVolume> ReadVolumes(IResource resource) =>
        [.. resource.Annotations.OfType<ContainerMountAnnotation>()
            .Where(m => m.Type == ContainerMountType.Volume)
            .Select(m => new DeployedVolume(m.Source ?? $"{resource.Name}-data", m.Target))];

    /// <summary>Files rendered by the resource's callbacks, with in-network addresses. Host folders cannot travel: bind mounts are left out, loudly.</summary>
    private async Task<List<DeployedConfigFile>> ReadConfigFilesAsync(IResource resource, ConnectionRecorder connections, CancellationToken cancellationToken)
    {
        foreach (var mount in resource.Annotations.OfType<ContainerMountAnnotation>().Where(m => m.Type == ContainerMountType.BindMount))
        {
            logger.LogWarning("{Resource}: the bind mount of {Source} at {Target} is not published; host folders cannot travel. Use a volume or a config file.",
                resource.Name, mount.Source, mount.Target);
        }

        var uses = new List<DeployedConnection>();
        var context = new ConfigFileContext(
            (endpoint, _) => ValueTask.FromResult(EndpointValue(endpoint, EndpointProperty.HostAndPort, uses)),
            cancellationToken,
            (endpoint, _) =>
            {
                // Each replica answers by its own address under one DNS name: a headless Service in Kubernetes, a
                // network alias in compose (see the publishers).
                var port = PortOf(endpoint.Resource.Name, endpoint.EndpointName);
                uses.Add(new DeployedConnection(endpoint.Resource.Name, port));
                _discoveredPerReplica.Add(endpoint.Resource.Name);
                return ValueTask.FromResult(new ReplicaAddress($"{endpoint.Resource.Name}{EveryReplicaSuffix}:{port.Port}", ResolvesEveryReplica: true));
            });
        var files = new List<DeployedConfigFile>();
        foreach (var file in resource.Annotations.OfType<ConfigFileAnnotation>())
        {
            files.Add(new DeployedConfigFile(file.FileName, file.TargetDirectory, await file.RenderAsync(context)));
        }
        connections.Record(uses);
        return files;
    }

    private DeployedHealthCheck? ReadHealthCheck(IResource resource)
    {
        foreach (var check in resource.Annotations.OfType<HealthCheckAnnotation>())
        {
            // Aspire's HTTP health checks are keyed "{resource}_{endpoint}_{path}_{status}_check"; the key is the
            // only place the model keeps the path.
            var match = HttpHealthCheckKey().Match(check.Key);
            if (!match.Success || !check.Key.StartsWith(resource.Name + "_", StringComparison.Ordinal))
            {
                continue;
            }
            var endpoint = match.Groups["endpoint"].Value.ToLowerInvariant();
            // Checks on an https twin run against the plain endpoint: there is no TLS inside the network.
            var port = _ports.GetValueOrDefault((resource.Name, endpoint))
                ?? _ports.GetValueOrDefault((resource.Name, "http"));
            if (port is not null)
            {
                return new DeployedHealthCheck(port, match.Groups["path"].Value);
            }
        }
        logger.LogWarning("Resource {Resource} has no HTTP health check; it is published without probes.", resource.Name);
        return null;
    }

    /// <summary>
    /// The stated liveness check, or ServiceDefaults' /alive for MlStack's projects (on the port of their health
    /// check). Without one a service is never restarted on a check: a restart on a failing readiness check is the loop
    /// this avoids.
    /// </summary>
    private DeployedHealthCheck? ReadLivenessCheck(IResource resource, ServiceKind kind, DeployedHealthCheck? healthCheck)
    {
        if (resource.TryGetLastAnnotation<LivenessCheckAnnotation>(out var stated))
        {
            return new DeployedHealthCheck(PortOf(resource.Name, stated.EndpointName), stated.Path);
        }
        if (kind == ServiceKind.Project && healthCheck is not null)
        {
            return new DeployedHealthCheck(healthCheck.Port, ImageConventionsAnnotation.MlStackLivenessPath);
        }
        logger.LogWarning("Resource {Resource} states no liveness check (WithHttpLivenessCheck); it is never restarted on a failing check.", resource.Name);
        return null;
    }

    private DeploymentSettings ReadSettings(IResource resource, ServiceKind kind)
    {
        resource.TryGetLastAnnotation<GpuAnnotation>(out var gpu);
        resource.TryGetLastAnnotation<ReplicasAnnotation>(out var replicas);
        resource.TryGetLastAnnotation<AutoscalingAnnotation>(out var autoscaling);
        resource.TryGetLastAnnotation<ComputeResourcesAnnotation>(out var compute);
        var conventions = ReadImageConventions(resource, kind);
        return new DeploymentSettings(
            gpu?.Count,
            autoscaling?.Min ?? replicas?.Count ?? 1,
            autoscaling is null ? null : ReadAutoscaling(autoscaling),
            compute,
            resource.Annotations.OfType<RebuildableDataAnnotation>().Any(),
            conventions,
            ReadScratchDirectories(resource, kind, conventions));
    }

    private DeployedAutoscaling ReadAutoscaling(AutoscalingAnnotation autoscaling)
    {
        var source = autoscaling.Metric.PrometheusSource is { } prometheus
            ? new DeployedConnection(prometheus.Resource.Name, PortOf(prometheus.Resource.Name, prometheus.EndpointName))
            : null;
        return new DeployedAutoscaling(autoscaling.Min, autoscaling.Max, autoscaling.Metric, source);
    }

    /// <summary>
    /// What the resource states, plus /tmp for images whose needs are conventions: MlStack's .NET images (request
    /// bodies, diagnostics) and images that state nothing.
    /// </summary>
    private static List<ScratchDirectoryAnnotation> ReadScratchDirectories(IResource resource, ServiceKind kind, ImageConventionsAnnotation conventions)
    {
        var stated = resource.Annotations.OfType<ScratchDirectoryAnnotation>().ToList();
        var byConvention = kind == ServiceKind.Project || ReferenceEquals(conventions, ImageConventionsAnnotation.Unstated)
            ? [ImageConventionsAnnotation.TemporaryDirectory]
            : Array.Empty<ScratchDirectoryAnnotation>();
        return [.. byConvention.Where(c => stated.All(s => s.Path != c.Path)).Concat(stated).DistinctBy(d => d.Path).OrderBy(d => d.Path, StringComparer.Ordinal)];
    }

    private ImageConventionsAnnotation ReadImageConventions(IResource resource, ServiceKind kind)
    {
        if (resource.TryGetLastAnnotation<ImageConventionsAnnotation>(out var stated))
        {
            return stated;
        }
        if (kind == ServiceKind.Container)
        {
            logger.LogWarning("Container {Resource} states no image conventions (WithImageConventions); publishing assumes uid {User} and {Tool}.",
                resource.Name, ImageConventionsAnnotation.Unstated.RunAsUser, ImageConventionsAnnotation.Unstated.ProbeTool);
            return ImageConventionsAnnotation.Unstated;
        }
        return ImageConventionsAnnotation.MlStackImage;
    }

    /// <summary>
    /// Renders any value Aspire puts in environment or args; unknown kinds fail publishing loudly. Each endpoint the
    /// value addresses is added to <paramref name="uses"/>.
    /// </summary>
    public RenderedValue Render(object? value, List<DeployedConnection> uses)
    {
        var parts = new List<object>();
        Append(value, parts, uses);
        var merged = new List<object>();
        foreach (var part in parts.Where(p => p is not ""))
        {
            if (part is string text && merged.Count > 0 && merged[^1] is string previous)
            {
                merged[^1] = previous + text;
            }
            else
            {
                merged.Add(part);
            }
        }
        return new RenderedValue(merged);
    }

    private void Append(object? value, List<object> parts, List<DeployedConnection> uses)
    {
        switch (value)
        {
            case null:
                break;
            case string text:
                parts.Add(text);
                break;
            case ParameterResource parameter:
                parts.Add(_parameters[parameter.Name]);
                break;
            case EndpointReference endpoint:
                parts.Add(EndpointValue(endpoint, EndpointProperty.Url, uses));
                break;
            case EndpointReferenceExpression expression:
                parts.Add(EndpointValue(expression.Endpoint, expression.Property, uses));
                break;
            case ReferenceExpression { IsConditional: true } conditional:
                throw new NotSupportedException($"Conditional expression '{conditional.ValueExpression}' cannot be published.");
            case ReferenceExpression expression:
                AppendFormat(expression, parts, uses);
                break;
            case ConnectionStringReference reference:
                Append(reference.Resource.ConnectionStringExpression, parts, uses);
                break;
            case IResourceWithConnectionString resource:
                Append(resource.ConnectionStringExpression, parts, uses);
                break;
            case IFormattable formattable:
                parts.Add(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                throw new NotSupportedException($"A value of type {value.GetType().Name} cannot be published.");
        }
    }

    private void AppendFormat(ReferenceExpression expression, List<object> parts, List<DeployedConnection> uses)
    {
        var format = expression.Format;
        var literal = new System.Text.StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if ((c == '{' || c == '}') && i + 1 < format.Length && format[i + 1] == c)
            {
                literal.Append(c);
                i++;
                continue;
            }
            if (c != '{')
            {
                literal.Append(c);
                continue;
            }
            var end = format.IndexOf('}', i);
            var index = int.Parse(format.AsSpan(i + 1, end - i - 1).ToString().Split(':')[0], CultureInfo.InvariantCulture);
            parts.Add(literal.ToString());
            literal.Clear();
            var provider = expression.ValueProviders[index];
            var stringFormat = index < expression.StringFormats.Count ? expression.StringFormats[index] : null;
            if (stringFormat == "uri")
            {
                var inner = Render(provider, uses);
                parts.Add(inner.IsLiteral ? Uri.EscapeDataString(inner.LiteralText) : throw new NotSupportedException(
                    $"'{expression.ValueExpression}' URI-encodes a parameter, which cannot be done without its value."));
            }
            else
            {
                Append(provider, parts, uses);
            }
            i = end;
        }
        parts.Add(literal.ToString());
    }

    private string EndpointValue(EndpointReference endpoint, EndpointProperty property, List<DeployedConnection> uses)
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

    private DeployedPort PortOf(string resource, string endpointName) =>
        _ports.GetValueOrDefault((resource, endpointName.ToLowerInvariant()))
        ?? throw new UnpublishedEndpointException($"endpoint '{endpointName}' of '{resource}' is not published (TLS endpoints stay inside the developer loop)");

    /// <summary>"vectors-api-key" becomes VECTORS_API_KEY.</summary>
    public static string EnvironmentName(string name) => NonIdentifier().Replace(name, "_").ToUpperInvariant();

    [GeneratedRegex(@"^.+?_(?<endpoint>[^_/]+)_(?<path>/.*)_(?<status>\d{3})_check$")]
    private static partial Regex HttpHealthCheckKey();

    [GeneratedRegex("[^A-Za-z0-9]")]
    private static partial Regex NonIdentifier();

    private sealed class UnpublishedEndpointException(string message) : Exception(message);

    /// <summary>The endpoints one service addresses, its own left out (those only tell it where to listen).</summary>
    private sealed class ConnectionRecorder(string service)
    {
        private readonly List<DeployedConnection> _connections = [];

        public IReadOnlyList<DeployedConnection> Connections => _connections;

        /// <summary>Keeps the other services' endpoints; true when the value addressed only the service's own endpoints.</summary>
        public bool Record(List<DeployedConnection> uses)
        {
            foreach (var use in uses.Where(u => u.Service != service && !_connections.Contains(u)))
            {
                _connections.Add(use);
            }
            return uses.Count > 0 && uses.All(u => u.Service == service);
        }
    }
}
