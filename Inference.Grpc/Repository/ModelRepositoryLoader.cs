using Microsoft.Extensions.Options;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Repository;

/// <summary>
/// Fills the repository at start: extracts the default model when missing, then loads every model (or those
/// configured in ModelRepository:Models). Runs in the background so /alive answers while models load; readiness
/// waits for it.
/// </summary>
public sealed class ModelRepositoryLoader(ModelRepository repository, MiniLmModelInstaller installer,
    IOptions<ModelRepositoryOptions> options, ILogger<ModelRepositoryLoader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            if (options.Value.InstallDefaultModel)
            {
                try
                {
                    installer.EnsureInstalled(repository.RootPath);
                }
                catch (Exception error)
                {
                    logger.LogError(error, "Could not extract {Model} into {Repository}", MiniLmModelInstaller.ModelName, repository.RootPath);
                }
            }

            var names = options.Value.Models.Length > 0 ? options.Value.Models : repository.Discover();
            logger.LogInformation("Loading {Count} model(s) from {Repository}: {Models}", names.Count, repository.RootPath, string.Join(", ", names));
            foreach (var name in names)
            {
                if (stoppingToken.IsCancellationRequested) return;
                try
                {
                    await repository.LoadAsync(name, configured: true);
                }
                catch (InferenceException error)
                {
                    logger.LogError("Model {Model} cannot be loaded: {Reason}", name, error.Message);
                    repository.MarkUnavailable(name, error.Message);
                }
            }
        }
        finally
        {
            repository.StartupComplete = true;
        }
    }
}
