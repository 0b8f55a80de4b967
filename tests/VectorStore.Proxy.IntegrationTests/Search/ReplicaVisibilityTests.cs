using System.Collections.Concurrent;
using System.Text;

namespace MlStack.VectorStore.IntegrationTests.Search;

/// <summary>
/// Two proxy replicas over one Chroma: each holds the committed revisions in memory and revalidates them at most every
/// check interval, so a commit on one is visible on the other within that bound, and no query ever sees part of a version.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class ReplicaVisibilityTests(StoreFixture store) : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(300);

    private ProxyFactory _writer = null!;
    private ProxyFactory _reader = null!;

    private ProxyFactory Replica(TimeSpan interval) =>
        store.NewProxy(new Dictionary<string, string?> { ["VectorStore:RevisionCheckInterval"] = interval.ToString("c", System.Globalization.CultureInfo.InvariantCulture) });

    public Task InitializeAsync()
    {
        _writer = Replica(Interval);
        _reader = Replica(Interval);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _reader.DisposeAsync();
    }

    [Fact]
    public async Task A_document_committed_on_one_replica_is_seen_by_queries_on_another_within_the_bound()
    {
        var writer = _writer.GrpcClient();
        var reader = _reader.GrpcClient();
        var collection = await writer.NewCollectionAsync("replicas");
        await writer.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText);
        await Task.Delay(Interval);
        // The reader now holds a view with the first document only.
        Assert.Equal("sourdough.txt", (await reader.AskAsync(collection, "How does a photovoltaic cell turn sunlight into current?", k: 1)).Results[0].DocumentName);

        await writer.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown);
        await Task.Delay(Interval);

        var answer = await reader.AskAsync(collection, "How does a photovoltaic cell turn sunlight into current?", k: 1);
        Assert.Equal("solar-power.md", answer.Results[0].DocumentName);
        Assert.Equal(2, (await reader.CountsAsync(collection)).DocumentCount);

        // A deletion hides the document before its chunks go, and its chunks go only after every replica revalidated.
        await writer.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = collection, DocumentName = "solar-power.md" });
        var after = await reader.AskAsync(collection, "How does a photovoltaic cell turn sunlight into current?", k: 3);
        Assert.All(after.Results, r => Assert.Equal("sourdough.txt", r.DocumentName));
    }

    [Fact]
    public async Task A_replica_answers_from_its_view_in_memory_until_its_interval_has_passed()
    {
        await using var slowReader = Replica(TimeSpan.FromSeconds(60));
        var writer = _writer.GrpcClient();
        var reader = slowReader.GrpcClient();
        var collection = await writer.NewCollectionAsync("views");
        await writer.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText);
        Assert.Equal("sourdough.txt", (await reader.AskAsync(collection, "solar panels", k: 1)).Results[0].DocumentName);

        await writer.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown);

        // Within its 60 s interval the reader does not look at the manifest again: the new document is not in its view.
        var answer = await reader.AskAsync(collection, "How does a photovoltaic cell turn sunlight into current?", k: 10);
        Assert.All(answer.Results, r => Assert.Equal("sourdough.txt", r.DocumentName));
        // The writer's own view was invalidated by its commit.
        Assert.Equal("solar-power.md", (await writer.AskAsync(collection, "How does a photovoltaic cell turn sunlight into current?", k: 1)).Results[0].DocumentName);
    }

    [Fact]
    public async Task A_document_replaced_while_both_replicas_query_it_is_never_half_visible()
    {
        var writer = _writer.GrpcClient();
        var reader = _reader.GrpcClient();
        var collection = await writer.NewCollectionAsync("replace");
        var total = (await writer.IngestAsync(collection, "ledger.txt", Edition(1), chunkSize: 100, overlap: 0))[^1].ChunksTotal;
        Assert.True(total >= 8);
        await Task.Delay(Interval);

        var answers = new ConcurrentBag<string>();
        var problems = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        async Task AskUntilStopped(VectorStore.V1.VectorStore.VectorStoreClient client, string replica)
        {
            while (!stop.IsCancellationRequested)
            {
                var hits = (await client.AskAsync(collection, "ledger entry of the edition", k: 50)).Results;
                var editions = hits.Select(h => EditionOf(h.Text)).Distinct().ToList();
                answers.Add(string.Join(",", editions));
                if (hits.Count != total || editions.Count != 1)
                    problems.Add($"{replica}: {hits.Count} of {total} chunks, editions {string.Join(",", editions)}");
            }
        }

        var askers = new[] { AskUntilStopped(reader, "reader"), AskUntilStopped(reader, "reader"), AskUntilStopped(writer, "writer") };
        for (var edition = 2; edition <= 4; edition++)
        {
            var committed = (await writer.IngestAsync(collection, "ledger.txt", Edition(edition), chunkSize: 100, overlap: 0))[^1];
            Assert.Equal(total, committed.StaleChunksRemoved);
        }
        await Task.Delay(Interval);
        await stop.CancelAsync();
        await Task.WhenAll(askers);

        Assert.Empty(problems);
        Assert.True(answers.Count > 10, $"only {answers.Count} answers while the document was replaced");
        var last = await reader.AskAsync(collection, "ledger entry of the edition", k: 50);
        Assert.All(last.Results, r => Assert.Equal("4", EditionOf(r.Text)));
    }

    /// <summary>Ten short paragraphs, each one chunk, each naming its edition.</summary>
    private static byte[] Edition(int edition) => Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 10).Select(i =>
        $"Ledger entry {i} of edition {edition}: the ledger records cargo number {i * 7 + edition}.")));

    private static string EditionOf(string text) =>
        text.Split(' ').SkipWhile(w => w != "edition").Skip(1).FirstOrDefault()?.TrimEnd(':') ?? "?";
}
