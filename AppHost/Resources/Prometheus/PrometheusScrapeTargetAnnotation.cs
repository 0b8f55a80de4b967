namespace MlStack.AppHost.Resources.Prometheus;

/// <summary>Marks a resource whose endpoint Prometheus scrapes; read in run mode and by the publishers.</summary>
public sealed class PrometheusScrapeTargetAnnotation(IResourceWithEndpoints target, string endpointName, string metricsPath) : IResourceAnnotation
{
    public IResourceWithEndpoints Target { get; } = target;
    public string EndpointName { get; } = endpointName;
    public string MetricsPath { get; } = metricsPath;
}
