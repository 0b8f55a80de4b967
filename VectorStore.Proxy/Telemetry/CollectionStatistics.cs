using System.Collections.Concurrent;

namespace MlStack.VectorStore.Telemetry;

public sealed record CollectionCounts(string Collection, long Documents, long Chunks);

/// <summary>Last known documents and chunks per collection, for the observable gauges (which must not call Chroma).</summary>
public sealed class CollectionStatistics
{
    private readonly ConcurrentDictionary<string, CollectionCounts> _counts = new(StringComparer.Ordinal);

    public void Set(string collection, long documents, long chunks) => _counts[collection] = new(collection, documents, chunks);

    public void Remove(string collection) => _counts.TryRemove(collection, out _);

    public IReadOnlyCollection<CollectionCounts> Snapshot() => _counts.Values.ToArray();
}
