using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace MlStack.VectorStore.Visibility;

/// <summary>
/// The committed revisions of each collection, held in memory so that a query reads neither the manifest nor asks
/// Chroma to filter on revisions. A view is trusted for <see cref="VisibilityOptions.RevisionCheckInterval"/> after
/// the moment its commit stamp was read; the first query after that re-reads the stamp and reloads the revisions only
/// when the stamp changed, and a query that finds the view past half its interval starts that check in the background,
/// so steady queries do not wait for it. This process's own commits invalidate the view at once. Queries that find a
/// view due share one refresh.
/// <para>
/// The bound: every commit writes a fresh stamp after its manifest record, and a view's stamp is read before its
/// revisions, so a view whose stamp was read after a commit returned includes that commit. A query is served only from
/// a view (or a refresh) whose stamp read began less than the interval before the query did.
/// </para>
/// </summary>
public sealed class RevisionCache(TimeProvider time, IOptions<VisibilityOptions> options)
{
    /// <summary>
    /// A view is reloaded whole at least this often whatever its stamp says, in the background. That repairs the one case
    /// the stamp cannot see: a commit whose stamp write was lost to a crash (and commits by proxies that predate the stamp).
    /// </summary>
    public static readonly TimeSpan FullReloadInterval = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _checkInterval = options.Value.RevisionCheckInterval;

    /// <summary>The committed revisions of the collection, at most one check interval old when the call began.</summary>
    public ValueTask<CommittedRevisions> GetAsync(string collectionId, IRevisionSource source, CancellationToken ct)
    {
        var entry = _entries.GetOrAdd(collectionId, _ => new Entry());
        var now = time.GetTimestamp();
        var view = entry.Current;
        if (view is null || view.Generation != Volatile.Read(ref entry.Generation))
        {
            return new ValueTask<CommittedRevisions>(RefreshAsync(entry, source, now, ct));
        }
        var age = time.GetElapsedTime(view.CheckedAt, now);
        if (age >= _checkInterval)
        {
            return new ValueTask<CommittedRevisions>(RefreshAsync(entry, source, now, ct));
        }
        if (age >= _checkInterval / 2)
        {
            // Refresh ahead: a view past half its interval is checked again behind this query, so that while queries keep
            // coming none of them waits for the stamp read (it would add a Chroma round trip to that query).
            RefreshAhead(entry, source, view, now);
        }
        return ValueTask.FromResult(view.Revisions);
    }

    /// <summary>This process changed the collection's manifest: the next query reloads it.</summary>
    public void Invalidate(string collectionId)
    {
        if (_entries.TryGetValue(collectionId, out var entry)) Interlocked.Increment(ref entry.Generation);
    }

    /// <summary>The collection is gone: drop what is held for it.</summary>
    public void Forget(string collectionId) => _entries.TryRemove(collectionId, out _);

    private void RefreshAhead(Entry entry, IRevisionSource source, View due, long now)
    {
        Refresh started;
        View? previous;
        lock (entry)
        {
            if (entry.InFlight is { } running && !running.Done.Task.IsCompleted)
            {
                return; // one check at a time; queries that find the view due join it
            }
            if (!ReferenceEquals(entry.Current, due))
            {
                return; // a check finished between reading the view and taking the lock: its view is fresh
            }
            previous = entry.Current;
            entry.InFlight = started = new Refresh(now, entry.Generation);
        }
        _ = LoadAsync(entry, source, previous, started);
    }

    private async Task<CommittedRevisions> RefreshAsync(Entry entry, IRevisionSource source, long now, CancellationToken ct)
    {
        Refresh? started = null;
        Refresh refresh;
        View? previous;
        lock (entry)
        {
            previous = entry.Current;
            var running = entry.InFlight;
            // Joining keeps the bound only for a refresh that began recently enough and after this process's last write.
            if (running is not null && !running.Done.Task.IsFaulted && running.Generation == entry.Generation
                && time.GetElapsedTime(running.StartedAt, now) < _checkInterval)
            {
                refresh = running;
            }
            else
            {
                refresh = started = new Refresh(now, entry.Generation);
                entry.InFlight = started;
            }
        }
        // The load is shared, so no one caller's cancellation stops it; Chroma calls have their own timeouts.
        if (started is not null) _ = LoadAsync(entry, source, previous, started);
        return (await refresh.Done.Task.WaitAsync(ct)).Revisions;
    }

    private async Task LoadAsync(Entry entry, IRevisionSource source, View? previous, Refresh refresh)
    {
        try
        {
            var stamp = await source.ReadCommitStampAsync(CancellationToken.None);
            if (previous is not null && previous.Generation == refresh.Generation && previous.Stamp == stamp)
            {
                // Nothing committed since the view was loaded: it stays good for another interval.
                var due = time.GetElapsedTime(previous.LoadedAt, refresh.StartedAt) >= FullReloadInterval;
                var confirmed = previous with { CheckedAt = refresh.StartedAt, LoadedAt = due ? refresh.StartedAt : previous.LoadedAt };
                Publish(entry, confirmed);
                refresh.Done.SetResult(confirmed);
                // The periodic full reload only repairs what the stamp cannot see, so no query waits for it.
                if (due) Publish(entry, confirmed with { Revisions = await source.ReadRevisionsAsync(CancellationToken.None) });
                return;
            }
            var loaded = new View(stamp, await source.ReadRevisionsAsync(CancellationToken.None), refresh.StartedAt, refresh.StartedAt, refresh.Generation);
            Publish(entry, loaded);
            refresh.Done.SetResult(loaded);
        }
        catch (Exception ex)
        {
            // A failed background reload leaves the confirmed view in place; the next one is due a full interval later.
            refresh.Done.TrySetException(ex);
        }
    }

    private static void Publish(Entry entry, View view)
    {
        lock (entry)
        {
            // A slower refresh that began earlier, or before this process's last write, must not replace a newer view.
            if (entry.Current is not { } current || (view.Generation, view.CheckedAt).CompareTo((current.Generation, current.CheckedAt)) >= 0)
                entry.Current = view;
        }
    }

    private sealed class Entry
    {
        public volatile View? Current;
        public volatile Refresh? InFlight;
        public int Generation;
    }

    /// <param name="CheckedAt">When the stamp read that confirmed this view began.</param>
    /// <param name="LoadedAt">When the stamp read before the revisions were loaded began.</param>
    private sealed record View(string? Stamp, CommittedRevisions Revisions, long CheckedAt, long LoadedAt, int Generation);

    private sealed class Refresh(long startedAt, int generation)
    {
        public long StartedAt { get; } = startedAt;
        public int Generation { get; } = generation;
        public TaskCompletionSource<View> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
