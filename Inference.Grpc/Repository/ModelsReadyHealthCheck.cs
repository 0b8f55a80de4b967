using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlStack.Inference.Repository;

namespace MlStack.Inference.Repository;

/// <summary>Ready only when every model the server should serve is loaded (HTTP /health, grpc.health.v1 and ServerReady).</summary>
public sealed class ModelsReadyHealthCheck(ModelRepository repository) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (repository.IsReady) return Task.FromResult(HealthCheckResult.Healthy("All models loaded."));
        if (!repository.StartupComplete) return Task.FromResult(HealthCheckResult.Unhealthy("Models are loading."));
        var notReady = repository.Index().Where(e => e.State != ModelStates.Ready && e.Reason != "not loaded")
            .Select(e => $"{e.Name}: {e.State} {e.Reason}".Trim());
        return Task.FromResult(HealthCheckResult.Unhealthy("Not every model is loaded: " + string.Join("; ", notReady)));
    }
}
