using System.Diagnostics;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MlStack.VectorStore.Visibility;

namespace MlStack.VectorStore.UnitTests.Visibility;

public sealed class RevisionCacheTests
{
    private const string Collection = "chunks-id";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryManifest _manifest = new();
    private readonly RevisionCache _cache;

    public RevisionCacheTests()
    {
        _cache = NewReplica();
        _manifest.Commit("a", "v1");
    }

    /// <summary>The cache of another proxy process over the same manifest.</summary>
    private RevisionCache NewReplica() => new(_time, Options.Create(new VisibilityOptions { RevisionCheckInterval = Interval }));

    private Task<CommittedRevisions> GetAsync(RevisionCache? replica = null) =>
        (replica ?? _cache).GetAsync(Collection, _manifest, CancellationToken.None).AsTask();

    [Fact]
    public async Task A_commit_by_another_replica_is_seen_by_every_query_that_starts_one_interval_after_it()
    {
        Assert.True((await GetAsync()).Contains("a@v1"));

        _manifest.Commit("b", "v1");
        _time.Advance(Interval / 2 - TimeSpan.FromMilliseconds(1));
        Assert.False((await GetAsync()).Contains("b@v1"));
        Assert.Equal(1, _manifest.StampReads);

        _time.Advance(Interval / 2 + TimeSpan.FromMilliseconds(1));
        Assert.True((await GetAsync()).Contains("b@v1"));
        Assert.Equal(2, _manifest.StampReads);
    }

    [Fact]
    public async Task A_view_past_half_its_interval_is_checked_behind_the_query_so_steady_queries_do_not_wait()
    {
        await GetAsync();
        _manifest.Commit("b", "v1");
        _time.Advance(Interval * 3 / 4);
        var held = _manifest.HoldNextStampRead();

        // Served at once from the view, while the check runs behind it; a second query does not start another.
        var ahead = GetAsync();
        Assert.True(ahead.IsCompleted);
        Assert.False((await ahead).Contains("b@v1"));
        Assert.True(GetAsync().IsCompleted);
        Assert.Equal(2, _manifest.StampReads);

        held.SetResult();
        var seen = Stopwatch.StartNew();
        while (!(await GetAsync()).Contains("b@v1"))
        {
            Assert.True(seen.Elapsed < TimeSpan.FromSeconds(10), "the check behind the query never replaced the view");
            await Task.Delay(10);
        }

        // The view the check published counts from when the check began: one interval after the first read it is still
        // fresh, so the query neither waits nor reads.
        _time.Advance(Interval / 4);
        Assert.True(GetAsync().IsCompleted);
        Assert.Equal(2, _manifest.StampReads);
    }

    [Fact]
    public async Task An_unchanged_stamp_costs_one_small_read_and_no_manifest_read()
    {
        await GetAsync();
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(Interval);
            Assert.True((await GetAsync()).Contains("a@v1"));
        }

        Assert.Equal(6, _manifest.StampReads);
        Assert.Equal(1, _manifest.RevisionReads);
    }

    [Fact]
    public async Task A_commit_whose_stamp_write_was_lost_is_seen_by_its_writer_at_once_and_by_other_replicas_after_the_full_reload()
    {
        var other = NewReplica();
        await GetAsync();
        await GetAsync(other);

        _manifest.Commit("b", "v1", writeStamp: false);
        _cache.Invalidate(Collection);
        Assert.True((await GetAsync()).Contains("b@v1"));

        _time.Advance(Interval);
        Assert.False((await GetAsync(other)).Contains("b@v1"));

        // The full reload runs behind the query that finds it due; the queries after it see the commit.
        _time.Advance(RevisionCache.FullReloadInterval);
        var held = _manifest.HoldNextRevisionRead();
        Assert.False((await GetAsync(other)).Contains("b@v1"));
        held.SetResult();
        var seen = Stopwatch.StartNew();
        while (!(await GetAsync(other)).Contains("b@v1"))
        {
            Assert.True(seen.Elapsed < TimeSpan.FromSeconds(10), "the background reload never replaced the view");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task A_replaced_document_has_exactly_one_committed_revision_in_every_view()
    {
        var first = await GetAsync();
        _manifest.Commit("a", "v2");
        _time.Advance(Interval);
        var second = await GetAsync();

        Assert.True(first.Contains("a@v1") && !first.Contains("a@v2"));
        Assert.True(second.Contains("a@v2") && !second.Contains("a@v1"));
    }

    [Fact]
    public async Task Queries_that_find_the_view_due_share_one_refresh()
    {
        await GetAsync();
        _time.Advance(Interval);
        var held = _manifest.HoldNextStampRead();

        var queries = Enumerable.Range(0, 20).Select(_ => GetAsync()).ToList();
        Assert.All(queries, q => Assert.False(q.IsCompleted));
        held.SetResult();
        var views = await Task.WhenAll(queries);

        Assert.Equal(2, _manifest.StampReads);
        Assert.All(views, v => Assert.Same(views[0], v));
    }

    [Fact]
    public async Task A_refresh_begun_before_a_write_of_this_process_is_not_joined_after_it()
    {
        await GetAsync();
        _time.Advance(Interval);
        var held = _manifest.HoldNextRevisionRead();
        _manifest.Commit("b", "v1");
        var before = GetAsync(); // reads the new stamp, then its manifest read is held with the state of now

        _manifest.Commit("c", "v1");
        _cache.Invalidate(Collection);
        var after = await GetAsync();
        held.SetResult();

        Assert.True(after.Contains("c@v1"));
        Assert.False((await before).Contains("c@v1"));
    }

    [Fact]
    public async Task A_slower_refresh_that_began_earlier_does_not_replace_a_newer_view()
    {
        await GetAsync();
        _time.Advance(Interval);
        _manifest.Commit("b", "v1");
        var held = _manifest.HoldNextRevisionRead();
        var slow = GetAsync();

        _manifest.Commit("c", "v1");
        _time.Advance(Interval);
        Assert.True((await GetAsync()).Contains("c@v1"));
        held.SetResult();
        Assert.False((await slow).Contains("c@v1"));

        Assert.True((await GetAsync()).Contains("c@v1"));
    }

    [Fact]
    public async Task A_failed_refresh_is_not_kept()
    {
        _manifest.FailNextStampRead();
        await Assert.ThrowsAsync<InvalidOperationException>(() => GetAsync());

        Assert.True((await GetAsync()).Contains("a@v1"));
    }

    [Fact]
    public async Task A_forgotten_collection_is_read_again_from_scratch()
    {
        await GetAsync();
        _cache.Forget(Collection);
        await GetAsync();

        Assert.Equal(2, _manifest.RevisionReads);
    }

    /// <summary>A manifest in memory: a commit names the document's new revision, then writes a fresh stamp, as DocumentManifest does in Chroma.</summary>
    private sealed class InMemoryManifest : IRevisionSource
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, string> _revisions = new(StringComparer.Ordinal);
        private string? _stamp;
        private TaskCompletionSource? _holdStamp;
        private TaskCompletionSource? _holdRevisions;
        private bool _failStamp;

        public int StampReads { get; private set; }
        public int RevisionReads { get; private set; }

        public void Commit(string document, string version, bool writeStamp = true)
        {
            lock (_lock)
            {
                _revisions[document] = $"{document}@{version}";
                if (writeStamp) _stamp = Guid.NewGuid().ToString("N");
            }
        }

        public TaskCompletionSource HoldNextStampRead() => _holdStamp = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource HoldNextRevisionRead() => _holdRevisions = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void FailNextStampRead() => _failStamp = true;

        public async Task<string?> ReadCommitStampAsync(CancellationToken ct)
        {
            string? stamp;
            lock (_lock)
            {
                StampReads++;
                if (_failStamp)
                {
                    _failStamp = false;
                    throw new InvalidOperationException("Chroma did not answer");
                }
            }
            if (Interlocked.Exchange(ref _holdStamp, null) is { } hold) await hold.Task;
            lock (_lock) stamp = _stamp;
            return stamp;
        }

        public async Task<CommittedRevisions> ReadRevisionsAsync(CancellationToken ct)
        {
            CommittedRevisions revisions;
            lock (_lock)
            {
                RevisionReads++;
                revisions = new CommittedRevisions(_revisions.Values.ToList());
            }
            // The state is taken at the call, as a read that Chroma answered and whose answer is still on its way.
            if (Interlocked.Exchange(ref _holdRevisions, null) is { } hold) await hold.Task;
            return revisions;
        }

    }
}
