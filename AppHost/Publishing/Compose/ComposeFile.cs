using YamlDotNet.Serialization;

namespace MlStack.AppHost.Publishing.Compose;

// The part of the Compose Specification MlStack writes, as docker-compose.yaml reads it: property order is the
// file's order, null members are left out (see PublishedYaml), so an empty list or map is null here.

public sealed class ComposeFile
{
    [YamlMember(Alias = "services")] public OrderedDictionary<string, ComposeService> Services { get; } = new(StringComparer.Ordinal);
    [YamlMember(Alias = "volumes")] public OrderedDictionary<string, ComposeVolume>? Volumes { get; set; }
}

/// <summary>A named volume with the engine's defaults (written as {}).</summary>
public sealed class ComposeVolume;

public sealed class ComposeService
{
    [YamlMember(Alias = "image")] public string? Image { get; set; }
    [YamlMember(Alias = "build")] public ComposeBuild? Build { get; set; }
    [YamlMember(Alias = "user")] public string? User { get; set; }
    [YamlMember(Alias = "entrypoint")] public List<string>? Entrypoint { get; set; }
    [YamlMember(Alias = "restart")] public string? Restart { get; set; }
    [YamlMember(Alias = "network_mode")] public string? NetworkMode { get; set; }
    [YamlMember(Alias = "command")] public List<string>? Command { get; set; }
    [YamlMember(Alias = "environment")] public OrderedDictionary<string, string>? Environment { get; set; }
    [YamlMember(Alias = "ports")] public List<string>? Ports { get; set; }
    [YamlMember(Alias = "expose")] public List<string>? Expose { get; set; }
    [YamlMember(Alias = "volumes")] public List<string>? Volumes { get; set; }
    [YamlMember(Alias = "read_only")] public bool? ReadOnly { get; set; }
    [YamlMember(Alias = "tmpfs")] public List<string>? Tmpfs { get; set; }
    [YamlMember(Alias = "healthcheck")] public ComposeHealthCheck? HealthCheck { get; set; }
    [YamlMember(Alias = "depends_on")] public OrderedDictionary<string, ComposeDependency>? DependsOn { get; set; }
    [YamlMember(Alias = "deploy")] public ComposeDeploy? Deploy { get; set; }
    [YamlMember(Alias = "cap_drop")] public List<string>? CapDrop { get; set; }
    [YamlMember(Alias = "cap_add")] public List<string>? CapAdd { get; set; }
    [YamlMember(Alias = "security_opt")] public List<string>? SecurityOpt { get; set; }
    [YamlMember(Alias = "networks")] public Dictionary<string, ComposeNetworkAttachment>? Networks { get; set; }
}

public sealed class ComposeBuild
{
    [YamlMember(Alias = "context")] public required string Context { get; init; }
    [YamlMember(Alias = "dockerfile")] public string? Dockerfile { get; init; }
    [YamlMember(Alias = "args")] public SortedDictionary<string, string>? Args { get; init; }
}

public sealed class ComposeHealthCheck
{
    [YamlMember(Alias = "test")] public required List<string> Test { get; init; }
    [YamlMember(Alias = "interval")] public required string Interval { get; init; }
    [YamlMember(Alias = "timeout")] public required string Timeout { get; init; }
    [YamlMember(Alias = "retries")] public required int Retries { get; init; }
    [YamlMember(Alias = "start_period")] public required string StartPeriod { get; init; }
}

/// <param name="Condition">service_started, service_healthy or service_completed_successfully.</param>
public sealed record ComposeDependency([property: YamlMember(Alias = "condition")] string Condition);

public sealed class ComposeDeploy
{
    [YamlMember(Alias = "replicas")] public int? Replicas { get; set; }
    [YamlMember(Alias = "resources")] public ComposeResources? Resources { get; set; }
}

public sealed class ComposeResources
{
    [YamlMember(Alias = "limits")] public ComposeResourceAmounts? Limits { get; set; }
    [YamlMember(Alias = "reservations")] public ComposeResourceAmounts? Reservations { get; set; }
}

public sealed class ComposeResourceAmounts
{
    [YamlMember(Alias = "cpus")] public string? Cpus { get; set; }
    [YamlMember(Alias = "memory")] public string? Memory { get; set; }
    [YamlMember(Alias = "devices")] public List<ComposeDevice>? Devices { get; set; }
}

public sealed class ComposeDevice
{
    [YamlMember(Alias = "driver")] public required string Driver { get; init; }
    [YamlMember(Alias = "count")] public required int Count { get; init; }
    [YamlMember(Alias = "capabilities")] public required List<string> Capabilities { get; init; }
}

public sealed class ComposeNetworkAttachment
{
    [YamlMember(Alias = "aliases")] public required List<string> Aliases { get; init; }
}
