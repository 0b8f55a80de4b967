namespace MlStack.Inference.Generation;

/// <summary>Loads the generator models in the background so the process answers /alive while they load.</summary>
public sealed class GeneratorLoader(GeneratorCatalog catalog) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(catalog.Load, stoppingToken);
}
