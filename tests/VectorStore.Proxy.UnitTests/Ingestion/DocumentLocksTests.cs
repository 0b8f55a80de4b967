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
}
