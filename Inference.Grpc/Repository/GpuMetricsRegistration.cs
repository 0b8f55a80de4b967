using MlStack.Inference.Execution;
using System.Diagnostics.Metrics;

namespace MlStack.Inference.Repository;

/// <summary>Adds the NVML GPU gauges at start when, and only when, a GPU is present.</summary>
/// <remarks>
/// They go on the serving meter (<see cref="InferenceMetrics.MeterName"/>, which the factory hands out once per
/// name), so they are exported beside the model metrics whether or not the repository is wired.
/// </remarks>
public sealed class GpuMetricsRegistration(IMeterFactory meters, ILogger<GpuMetricsRegistration> logger) : IHostedService, IDisposable
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
        _gpu.Register(meters.Create(InferenceMetrics.MeterName));
        logger.LogInformation("GPU metrics from NVML: {Reason}", reason);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _gpu?.Dispose();
}
