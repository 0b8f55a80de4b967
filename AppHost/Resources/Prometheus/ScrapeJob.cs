namespace MlStack.AppHost.Resources.Prometheus;

/// <summary>One Prometheus job: a service and the host:port that serves its /metrics.</summary>
/// <param name="ResolveEveryReplica">
/// The host is a DNS name with one address per replica: Prometheus resolves it (dns_sd_configs) and scrapes each
/// address, instead of whichever replica a load-balanced name happens to reach.
/// </param>
public sealed record ScrapeJob(string JobName, string Target, string MetricsPath = "/metrics", bool ResolveEveryReplica = false);
