namespace MlStack.AppHost.Resources.Prometheus;

/// <summary>
/// A Prometheus server of the stack, as a container or a local process (the runtime decides, see
/// <c>StackRuntime</c>). Its own type lets Prometheus-only methods such as
/// <see cref="PrometheusBuilderExtensions.WithScrapeTarget{T}"/> extend it and nothing else.
/// </summary>
public interface IPrometheusResource : IResourceWithEndpoints;

/// <summary>Prometheus as the pinned <c>prom/prometheus</c> image; always the published form.</summary>
public sealed class PrometheusContainerResource(string name) : ContainerResource(name), IPrometheusResource;

/// <summary>Prometheus as Debian's <c>prometheus</c> program, for machines without a container engine.</summary>
public sealed class PrometheusProcessResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IPrometheusResource;
