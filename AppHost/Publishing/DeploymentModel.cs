using System.Collections.ObjectModel;
using MlStack.AppHost.Publishing.Annotations;

namespace MlStack.AppHost.Publishing;

/// <summary>
/// The app model as both publishers see it: every value already rendered for a container network, where a
/// service is reached by its resource name and its container port. Parameters stay references, never values.
/// </summary>
public sealed record DeploymentModel(IReadOnlyList<DeployedService> Services, IReadOnlyList<DeployedParameter> Parameters);

public enum ServiceKind { Project, Container }

public sealed record DeployedService(
    string Name,
    ServiceKind Kind,
    DeployedImage Image,
    IReadOnlyList<DeployedPort> Ports,
    IReadOnlyList<DeployedEnvironmentVariable> Environment,
    IReadOnlyList<RenderedValue> Args,
    IReadOnlyList<DeployedVolume> Volumes,
    IReadOnlyList<DeployedConfigFile> ConfigFiles,
    DeployedHealthCheck? HealthCheck,
    IReadOnlyList<DeployedDependency> DependsOn,
    DeploymentSettings Settings)
{
    public DeployedPort? GrpcPort => Ports.FirstOrDefault(p => p.IsHttp2);
    public bool IsExternal => Ports.Any(p => p.IsExternal);

    /// <summary>The only check that may restart the service (see <see cref="LivenessCheckAnnotation"/>); null: never restarted on a check.</summary>
    public DeployedHealthCheck? LivenessCheck { get; init; }

    /// <summary>
    /// Every address the service is given (references, config files): the only other services and ports it connects to.
    /// Network policies are derived from these and nothing else.
    /// </summary>
    public IReadOnlyList<DeployedConnection> Connections { get; init; } = [];

    /// <summary>A DNS name that resolves to every replica (Prometheus scrapes each one), when another service asked for it.</summary>
    public string? EveryReplicaHost { get; init; }

    /// <summary>The HTTP port served to SageMaker and Vertex AI when the resource is published as a model endpoint.</summary>
    public DeployedPort? ModelEndpoint { get; init; }

    /// <summary>What the model endpoints' environment has instead of the service's, by name; null: left out.</summary>
    public IReadOnlyDictionary<string, string?> ModelEndpointEnvironment { get; init; } = new Dictionary<string, string?>();
}

/// <summary>The service connects to <paramref name="Service"/> on <paramref name="Port"/>.</summary>
public sealed record DeployedConnection(string Service, DeployedPort Port);

/// <param name="Repository">e.g. "mlstack/inference" or "prom/prometheus".</param>
/// <param name="Dockerfile">For projects: the Dockerfile path relative to the repository root; the build context is the root.</param>
public sealed record DeployedImage(string Repository, string Tag, string? Dockerfile)
{
    public string Reference => $"{Repository}:{Tag}";

    /// <summary>Build arguments of <see cref="Dockerfile"/>, e.g. PROJECT for the shared ASP.NET Dockerfile.</summary>
    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>The .env variable that overrides a project's image, e.g. INFERENCE_IMAGE.</summary>
    public string? OverrideVariable { get; init; }
}

/// <param name="Name">Lower-case endpoint name: a DNS label for Kubernetes port names.</param>
public sealed record DeployedPort(string Name, int Port, bool IsHttp2, bool IsExternal);

/// <param name="BindsOwnEndpoint">The value only tells the service where to listen (e.g. Kestrel__Endpoints__Http__Url).</param>
public sealed record DeployedEnvironmentVariable(string Name, RenderedValue Value, bool BindsOwnEndpoint = false);

public sealed record DeployedVolume(string Name, string Target);

/// <summary>A file the publisher writes next to the manifests and mounts read-only at <paramref name="TargetDirectory"/>.</summary>
public sealed record DeployedConfigFile(string FileName, string TargetDirectory, string Content);

/// <summary>An HTTP health endpoint from the resource's Aspire health check.</summary>
public sealed record DeployedHealthCheck(DeployedPort Port, string Path);

public sealed record DeployedDependency(string Service, WaitType WaitType);

/// <param name="RebuildableData">See <see cref="RebuildableDataAnnotation"/>.</param>
/// <param name="ScratchDirectories">Writable directories in the read-only container (see <see cref="ScratchDirectoryAnnotation"/>).</param>
public sealed record DeploymentSettings(
    int? Gpus,
    int Replicas,
    DeployedAutoscaling? Autoscaling,
    ComputeResourcesAnnotation? Resources,
    bool RebuildableData,
    ImageConventionsAnnotation Conventions,
    IReadOnlyList<ScratchDirectoryAnnotation> ScratchDirectories);

/// <param name="MetricsSource">For metrics read from Prometheus (<see cref="AutoscalingMetric.PrometheusSource"/>): its service and port.</param>
public sealed record DeployedAutoscaling(int Min, int Max, AutoscalingMetric Metric, DeployedConnection? MetricsSource);

/// <summary>A parameter of the app model; <see cref="EnvironmentName"/> is how files and env files name it.</summary>
public sealed record DeployedParameter(string Name, string EnvironmentName, bool Secret);

/// <summary>A value as literal text and parameter references, in order; each publisher chooses the syntax.</summary>
public sealed record RenderedValue(IReadOnlyList<object> Parts)
{
    public static RenderedValue Literal(string text) => new([text]);

    public bool IsLiteral => Parts.All(p => p is string);

    public string LiteralText => IsLiteral
        ? string.Concat(Parts.Cast<string>())
        : throw new InvalidOperationException("The value references parameters.");

    public DeployedParameter? SingleParameter => Parts is [DeployedParameter p] ? p : null;

    public IEnumerable<DeployedParameter> ParameterReferences => Parts.OfType<DeployedParameter>();
}
