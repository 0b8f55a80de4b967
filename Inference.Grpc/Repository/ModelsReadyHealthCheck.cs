using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlStack.Inference.Repository;

/// <summary>
/// The one readiness check of every model, whatever its task: ready only when every model the server should serve
/// is loaded (HTTP /health, grpc.health.v1 and ServerReady).
/// </summary>
public sealed class ModelsReadyHealthCheck(ModelRepository repository) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (repository.IsReady)
        {
            var loaded = repository.Loaded().OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Version)
                .Select(m => $"{m.Name}/{m.VersionText} ({m.Config.Task}, {m.Provider})").ToList();
            return Task.FromResult(HealthCheckResult.Healthy(loaded.Count == 0 ? "No models loaded." : "Loaded: " + string.Join(", ", loaded)));
        }
        if (!repository.StartupComplete) return Task.FromResult(HealthCheckResult.Unhealthy("Models are loading."));
        var notReady = repository.Index().Where(e => e.State != ModelStates.Ready && e.Reason != "not loaded")
            .Select(e => $"{e.Name}: {e.State} {e.Reason}".Trim());
        return Task.FromResult(HealthCheckResult.Unhealthy("Not every model is loaded: " + string.Join("; ", notReady)));
    }
}
