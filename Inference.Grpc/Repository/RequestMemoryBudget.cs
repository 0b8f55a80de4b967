using Microsoft.Extensions.Options;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Repository;

/// <summary>
/// The bytes ModelInfer and Embed calls hold together (ModelRepository:MaxBytesInFlight). A call reserves what its
/// declaration says it needs before anything is allocated, and is refused at once when that would pass the limit:
/// a flood of large or oversize requests cannot grow the process past it.
/// </summary>
public sealed class RequestMemoryBudget(IOptions<ModelRepositoryOptions> options)
{
    private long _inFlight;

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Holds <paramref name="bytes"/> until the lease is disposed; RESOURCE_EXHAUSTED when they do not fit.</summary>
    public Lease Reserve(long bytes)
    {
        var limit = options.Value.MaxBytesInFlight;
        if (bytes > limit)
            throw new InferenceException(InferenceErrorReason.ResourceExhausted,
                $"The request needs {bytes} bytes, more than the server holds for all requests together ({limit} bytes, ModelRepository:MaxBytesInFlight).");
        if (Interlocked.Add(ref _inFlight, bytes) > limit)
        {
            Interlocked.Add(ref _inFlight, -bytes);
            throw new InferenceException(InferenceErrorReason.ResourceExhausted,
                $"The server holds its limit of {limit} bytes of requests in flight; retry later.");
        }
        return new Lease(this, bytes);
    }

    public sealed class Lease(RequestMemoryBudget budget, long bytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Interlocked.Add(ref budget._inFlight, -bytes);
        }
    }
}
