namespace MlStack.VectorStore.Ingestion;

/// <summary>
/// Serialises the writes to one document inside this process (ingest, replace, delete), so two of them never
/// interleave their chunk writes and commits. Replicas are not coordinated: the last commit wins, complete either way.
/// A document's lock exists only while a write holds or waits for it, so the table holds no entry per document ever
/// written.
/// </summary>
public sealed class DocumentLocks
{
    private readonly Dictionary<string, Entry> _locks = new(StringComparer.Ordinal);

    /// <summary>Documents whose lock is held or awaited now.</summary>
    public int Count
    {
        get
        {
            lock (_locks) return _locks.Count;
        }
    }

    public async Task<IDisposable> AcquireAsync(string collection, string documentId, CancellationToken ct)
    {
        var key = collection + "/" + documentId;
        Entry entry;
        // Users are counted under the table's lock, so an entry is removed only when no one holds or awaits it.
        lock (_locks)
        {
            if (!_locks.TryGetValue(key, out entry!)) _locks[key] = entry = new Entry();
            entry.Users++;
        }
        try
        {
            await entry.Gate.WaitAsync(ct);
        }
        catch
        {
            Leave(key, entry);
            throw;
        }
        return new Held(this, key, entry);
    }

    private void Leave(string key, Entry entry)
    {
        lock (_locks)
        {
            if (--entry.Users == 0) _locks.Remove(key);
        }
    }

    private sealed class Entry
    {
        public readonly SemaphoreSlim Gate = new(1, 1);
        public int Users;
    }

    private sealed class Held(DocumentLocks owner, string key, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            entry.Gate.Release();
            owner.Leave(key, entry);
        }
    }
}
