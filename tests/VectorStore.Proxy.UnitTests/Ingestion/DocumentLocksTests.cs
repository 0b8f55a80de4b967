using MlStack.VectorStore.Ingestion;

namespace MlStack.VectorStore.UnitTests.Ingestion;

public sealed class DocumentLocksTests
{
    [Fact]
    public async Task Writes_to_one_document_wait_for_each_other_and_others_do_not()
    {
        var locks = new DocumentLocks();
        var first = await locks.AcquireAsync("docs", "doc1", CancellationToken.None);

        var second = locks.AcquireAsync("docs", "doc1", CancellationToken.None);
        var otherDocument = await locks.AcquireAsync("docs", "doc2", CancellationToken.None);
        var otherCollection = await locks.AcquireAsync("notes", "doc1", CancellationToken.None);
        Assert.False(second.IsCompleted);

        first.Dispose();
        first.Dispose(); // a second release is harmless
        using (await second)
        {
            Assert.False(locks.AcquireAsync("docs", "doc1", CancellationToken.None).IsCompleted);
        }
        otherDocument.Dispose();
        otherCollection.Dispose();
    }

    [Fact]
    public async Task A_cancelled_wait_gives_up_without_taking_the_lock()
    {
        var locks = new DocumentLocks();
        using var held = await locks.AcquireAsync("docs", "doc1", CancellationToken.None);
        using var cancel = new CancellationTokenSource();

        var waiting = locks.AcquireAsync("docs", "doc1", cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task Locks_are_freed_when_idle_so_the_table_does_not_grow()
    {
        var locks = new DocumentLocks();
        for (var i = 0; i < 10_000; i++)
        {
            using (await locks.AcquireAsync("docs", $"doc{i}", CancellationToken.None)) Assert.Equal(1, locks.Count);
        }
        Assert.Equal(0, locks.Count);

        // A lock with a waiter stays while the waiter needs it; a cancelled waiter leaves nothing behind.
        var held = await locks.AcquireAsync("docs", "busy", CancellationToken.None);
        var waiting = locks.AcquireAsync("docs", "busy", CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = locks.AcquireAsync("docs", "busy", cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        held.Dispose();
        using (await waiting) Assert.Equal(1, locks.Count);
        Assert.Equal(0, locks.Count);
    }

    [Fact]
    public async Task Concurrent_writers_of_many_documents_leave_an_empty_table_and_never_overlap()
    {
        var locks = new DocumentLocks();
        var inside = new int[8];
        await Parallel.ForAsync(0, 4000, async (i, ct) =>
        {
            var document = i % inside.Length;
            using (await locks.AcquireAsync("docs", $"doc{document}", ct))
            {
                Assert.Equal(1, Interlocked.Increment(ref inside[document]));
                await Task.Yield();
                Interlocked.Decrement(ref inside[document]);
            }
        });
        Assert.Equal(0, locks.Count);
    }
}
