namespace MlStack.AppHost.Resources.Prometheus;

/// <summary>One Prometheus job: a service and the host:port that serves its /metrics.</summary>
public sealed record ScrapeJob(string JobName, string Target, string MetricsPath = "/metrics");
