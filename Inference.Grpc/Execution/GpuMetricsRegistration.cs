using MlStack.Inference.Repository;

namespace MlStack.Inference.Execution;

/// <summary>Adds the NVML GPU gauges at start when, and only when, a GPU is present.</summary>
public sealed class GpuMetricsRegistration(InferenceMetrics metrics, ILogger<GpuMetricsRegistration> logger) : IHostedService, IDisposable
{
    private NvmlGpuMetrics? _gpu;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _gpu = NvmlGpuMetrics.TryCreate(out var reason);
        if (_gpu is null)
        {
            logger.LogInformation("No GPU metrics: {Reason}", reason);
            return Task.CompletedTask;
        }
        _gpu.Register(metrics.Meter);
        logger.LogInformation("GPU metrics from NVML: {Reason}", reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _gpu?.Dispose();
}
