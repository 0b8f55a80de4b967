using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using MlStack.AppHost.Publishing.Annotations;

namespace MlStack.AppHost.Publishing.Reading;

/// <summary>
/// Reads one resource as a service on the container network: its image, ports, environment, args, volumes, config
/// files, checks and deployment settings, every value rendered by <see cref="ValueRenderer"/>, every address it is
/// given recorded as a connection.
/// </summary>
internal sealed partial class ServiceReader(
    DistributedApplicationExecutionContext executionContext,
    string repositoryRoot,
    string imageTag,
    EndpointResolver endpoints,
    ValueRenderer values,
    ILogger logger)
{
    public async Task<DeployedService> ReadAsync(IResource resource, IReadOnlyCollection<IResource> published, CancellationToken cancellationToken)
    {
        var kind = resource is ProjectResource ? ServiceKind.Project : ServiceKind.Container;
        var image = kind == ServiceKind.Project ? ProjectImage((ProjectResource)resource) : ContainerImage(resource);
        var ports = endpoints.PortsOf(resource.Name);
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
                ? endpoints.PortOf(resource.Name, modelEndpoint.EndpointName)
                : null,
            ModelEndpointEnvironment = modelEndpoint?.Environment ?? new Dictionary<string, string?>(),
        };
    }

    /// <summary>A project with a Dockerfile in its folder is built by it; any other by the shared ASP.NET Dockerfile.</summary>
    private DeployedImage ProjectImage(ProjectResource project)
    {
        var projectPath = project.GetProjectMetadata().ProjectPath;
        var ownDockerfile = Path.Combine(Path.GetDirectoryName(projectPath)!, "Dockerfile");
        var image = new DeployedImage($"mlstack/{project.Name}", imageTag, RepositoryPath(ownDockerfile))
        {
            OverrideVariable = DeploymentModelReader.EnvironmentName(project.Name) + "_IMAGE",
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
                var rendered = values.Render(value, uses);
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
            rendered.Add(values.Render(arg, uses));
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
            (endpoint, _) => ValueTask.FromResult(endpoints.Value(endpoint, EndpointProperty.HostAndPort, uses)),
            cancellationToken,
            (endpoint, _) => ValueTask.FromResult(new ReplicaAddress(endpoints.EveryReplicaAddress(endpoint, uses), ResolvesEveryReplica: true)));
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
            var port = endpoints.FindPort(resource.Name, endpoint) ?? endpoints.FindPort(resource.Name, "http");
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
            return new DeployedHealthCheck(endpoints.PortOf(resource.Name, stated.EndpointName), stated.Path);
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
            ? new DeployedConnection(prometheus.Resource.Name, endpoints.PortOf(prometheus.Resource.Name, prometheus.EndpointName))
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

    [GeneratedRegex(@"^.+?_(?<endpoint>[^_/]+)_(?<path>/.*)_(?<status>\d{3})_check$")]
    private static partial Regex HttpHealthCheckKey();

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
