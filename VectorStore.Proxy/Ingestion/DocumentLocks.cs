using System.Collections.Concurrent;

namespace MlStack.VectorStore.Ingestion;

/// <summary>
/// Serialises the writes to one document inside this process (ingest, replace, delete), so two of them never
/// interleave their chunk writes and commits. Replicas are not coordinated: the last commit wins, complete either way.
/// </summary>
public sealed class DocumentLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string collection, string documentId, CancellationToken ct)
    {
        var gate = _locks.GetOrAdd(collection + "/" + documentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        return new Held(gate);
    }

    private sealed class Held(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
