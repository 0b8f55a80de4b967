using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MlStack.Inference.Generation;

/// <summary>Readiness: healthy once every text-generation model of the repository is loaded.</summary>
public sealed class GeneratorModelsHealthCheck(GeneratorCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!catalog.IsLoaded)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Generator models are loading."));
        }
        if (catalog.LoadError is { } error)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Generator models failed to load: " + error));
        }
        var models = catalog.Models.Values.Select(m => $"{m.Name}/{m.Version} ({m.Session.Provider})").ToList();
        return Task.FromResult(HealthCheckResult.Healthy(
            models.Count == 0 ? "No text-generation models in the repository." : "Loaded: " + string.Join(", ", models)));
    }
}
