using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace MlStack.Inference.Generation;

/// <summary>
/// Bounds the sequences decoded at once (Generation:MaxConcurrentSequences) and the requests waiting for a
/// slot (Generation:MaxWaitingRequests); a request beyond both gets RESOURCE_EXHAUSTED at once.
/// </summary>
public sealed class SequenceAdmission(IOptions<GenerationOptions> options, GenerationMetrics metrics)
{
    private readonly GenerationMetrics _metrics = metrics;
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentSequences, options.Value.MaxConcurrentSequences);
    private int _waiting;

    public async Task<IDisposable> EnterAsync(string model, CancellationToken cancellationToken)
    {
        if (_slots.Wait(0))
        {
            return Running(model);
        }
        var limits = options.Value;
        if (Interlocked.Increment(ref _waiting) > limits.MaxWaitingRequests)
        {
            Interlocked.Decrement(ref _waiting);
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Text generation is at capacity: {limits.MaxConcurrentSequences} sequences running and {limits.MaxWaitingRequests} waiting " +
                "(Generation:MaxConcurrentSequences, Generation:MaxWaitingRequests). Retry later."));
        }
        var started = Stopwatch.GetTimestamp();
        _metrics.WaitingChanged(model, +1);
        try
        {
            await _slots.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
            _metrics.WaitingChanged(model, -1);
        }
        _metrics.QueueTime(model, Stopwatch.GetElapsedTime(started));
        return Running(model);
    }

    private Slot Running(string model)
    {
        _metrics.RunningChanged(model, +1);
        return new Slot(this, model);
    }

    private sealed class Slot(SequenceAdmission owner, string model) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner._metrics.RunningChanged(model, -1);
                owner._slots.Release();
            }
        }
    }
}
