using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace MlStack.Dashboard.Health;

/// <summary>Asks every monitored service for its health, in parallel, and never throws.</summary>
public sealed class ServiceHealthProbe(IHttpClientFactory httpClientFactory, IOptions<MonitoredServiceOptions> options)
{
    public const string HttpClientName = "health-probe";

    public Task<ServiceHealth[]> ProbeAllAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(options.Value.Services.Select(service => ProbeAsync(service, cancellationToken)));

    private async Task<ServiceHealth> ProbeAsync(MonitoredService service, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var client = httpClientFactory.CreateClient(HttpClientName);
        var address = new Uri(service.BaseAddress, service.HealthPath);
        try
        {
            using var response = await client.GetAsync(address, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = ParseStatus(body, response.IsSuccessStatusCode);
            return new ServiceHealth(service.Name, service.BaseAddress, status, Summarize(body), stopwatch.Elapsed);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            return new ServiceHealth(service.Name, service.BaseAddress, ServiceHealthStatus.Unreachable, ex.Message, stopwatch.Elapsed);
        }
    }

    // ASP.NET services answer with our JSON report; Prometheus answers /-/ready with plain text.
    private static ServiceHealthStatus ParseStatus(string body, bool success)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("status", out var status)
                && Enum.TryParse<ServiceHealthStatus>(status.GetString(), out var parsed))
            {
                return parsed;
            }
        }
        catch (JsonException)
        {
        }
        return success ? ServiceHealthStatus.Healthy : ServiceHealthStatus.Unhealthy;
    }

    private static string Summarize(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("checks", out var checks))
            {
                return string.Join(", ", checks.EnumerateArray().Select(c =>
                    $"{c.GetProperty("name").GetString()}: {c.GetProperty("status").GetString()}"));
            }
        }
        catch (JsonException)
        {
        }
        return body.Length > 120 ? body[..120] : body.Trim();
    }
}
