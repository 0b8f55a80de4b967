using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace MlStack.Dashboard.Health;

/// <summary>Asks every monitored service for its health, in parallel, and never throws.</summary>
public sealed class ServiceHealthProbe(
    IHttpClientFactory httpClientFactory, IOptions<MonitoredServiceOptions> options, HealthCheckService ownHealth)
{
    public const string HttpClientName = "health-probe";

    public Task<ServiceHealth[]> ProbeAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(options.Value.Services.Select(service => ProbeAsync(service, cancellationToken)));

    private async Task<ServiceHealth> ProbeAsync(MonitoredService service, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        if (service.BaseAddress is null)
        {
            var report = await ownHealth.CheckHealthAsync(cancellationToken);
            var detail = string.Join(", ", report.Entries.Select(e => $"{e.Key}: {e.Value.Status}"));
            return new ServiceHealth(service.Name, service.Source, Map(report.Status), detail, stopwatch.Elapsed);
        }

        var client = httpClientFactory.CreateClient(HttpClientName);
        try
        {
            using var response = await client.GetAsync(new Uri(service.BaseAddress, service.HealthPath), cancellationToken);
            var reading = HealthReading.Read(await response.Content.ReadAsStringAsync(cancellationToken), response.IsSuccessStatusCode);
            var (status, text) = service.Check is null ? (reading.Status, reading.Text) : FromCheck(reading, service.Check);
            return new ServiceHealth(service.Name, service.Source, status, text, stopwatch.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            return new ServiceHealth(service.Name, service.Source, ServiceHealthStatus.Unreachable, ex.Message, stopwatch.Elapsed);
        }
    }

    private static (ServiceHealthStatus, string) FromCheck(HealthReading reading, string checkName)
    {
        var check = reading.Checks.FirstOrDefault(c => string.Equals(c.Name, checkName, StringComparison.OrdinalIgnoreCase));
        return check.Name is null
            ? (ServiceHealthStatus.Unhealthy, $"the report has no check '{checkName}' ({reading.Text})")
            : (check.Status, check.Description ?? check.Status.ToString());
    }

    private static ServiceHealthStatus Map(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => ServiceHealthStatus.Healthy,
        HealthStatus.Degraded => ServiceHealthStatus.Degraded,
        _ => ServiceHealthStatus.Unhealthy,
    };
}
