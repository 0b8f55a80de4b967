using YamlDotNet.Serialization;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>Helm values for prometheus-community/prometheus-adapter: where Prometheus is, and the rules MlStack needs.</summary>
public sealed class PrometheusAdapterValues
{
    [YamlMember(Alias = "prometheus")] public required AdapterPrometheus Prometheus { get; init; }
    [YamlMember(Alias = "rules")] public required AdapterRules Rules { get; init; }
}

public sealed record AdapterPrometheus([property: YamlMember(Alias = "url")] string Url, [property: YamlMember(Alias = "port")] int Port);

/// <summary>Empty lists are written: an absent one would bring back the chart's default rules.</summary>
public sealed class AdapterRules
{
    [YamlMember(Alias = "default")] public bool Default { get; init; }
    [YamlMember(Alias = "custom")] public List<AdapterRule> Custom { get; } = [];
    [YamlMember(Alias = "external")] public List<AdapterRule> External { get; } = [];
}

public sealed class AdapterRule
{
    [YamlMember(Alias = "seriesQuery")] public required string SeriesQuery { get; init; }
    [YamlMember(Alias = "resources")] public required AdapterResources Resources { get; init; }
    [YamlMember(Alias = "name")] public required AdapterMetricName Name { get; init; }
    [YamlMember(Alias = "metricsQuery")] public required string MetricsQuery { get; init; }
}

/// <param name="Namespaced">false: the series are not tied to a namespace (external metrics).</param>
/// <param name="Overrides">Which series labels name which Kubernetes resources.</param>
public sealed record AdapterResources(
    [property: YamlMember(Alias = "namespaced")] bool? Namespaced = null,
    [property: YamlMember(Alias = "overrides")] Dictionary<string, AdapterResourceOverride>? Overrides = null);

public sealed record AdapterResourceOverride([property: YamlMember(Alias = "resource")] string Resource);

public sealed record AdapterMetricName([property: YamlMember(Alias = "as")] string As);
