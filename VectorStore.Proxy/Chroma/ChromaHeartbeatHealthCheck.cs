using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlStack.VectorStore.Chroma;

/// <summary>The proxy is only useful while Chroma answers, so readiness follows Chroma's heartbeat.</summary>
public sealed class ChromaHeartbeatHealthCheck(IHttpClientFactory httpClientFactory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = httpClientFactory.CreateClient(ChromaClientNames.Health);
            using var response = await client.GetAsync("api/v2/heartbeat", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy("Chroma heartbeat answered")
                : HealthCheckResult.Unhealthy($"Chroma heartbeat answered {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return HealthCheckResult.Unhealthy("Chroma heartbeat did not answer", ex);
        }
    }
}
