namespace MlStack.AppHost.Resources.Prometheus;

/// <summary>On a Prometheus resource: a resource whose endpoint it scrapes. prometheus.yml is rendered from these.</summary>
public sealed class PrometheusScrapeTargetAnnotation(IResourceWithEndpoints target, string endpointName, string metricsPath) : IResourceAnnotation
{
    public IResourceWithEndpoints Target { get; } = target;
    public string EndpointName { get; } = endpointName;
    public string MetricsPath { get; } = metricsPath;
}
