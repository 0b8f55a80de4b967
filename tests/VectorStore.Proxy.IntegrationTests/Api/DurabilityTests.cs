using System.Text;
using Stage = MlStack.VectorStore.V1.IngestProgress.Types.Stage;

namespace MlStack.VectorStore.IntegrationTests.Api;

/// <summary>Chroma stops in the middle of an ingest; the proxy and Chroma restart on the same data.</summary>
[Collection(StoreCollection.Name)]
public sealed class DurabilityTests(StoreFixture store)
{

    private ProxyFactory NewProxy(ChromaServer chroma) => new(chroma.BaseAddress, store.Inference.GrpcAddress, new Dictionary<string, string?>
    {
        // Small batches make the ingest long enough to interrupt; few retries make the failure quick.
        ["Embedding:BatchSize"] = "8",
        ["Chroma:MaxRetryAttempts"] = "1",
        ["Chroma:RetryBaseDelayMilliseconds"] = "100",
        ["Chroma:AttemptTimeoutSeconds"] = "5",
        ["Chroma:TotalTimeoutSeconds"] = "8",
    });

    [Fact]
    public async Task An_ingest_cut_by_a_chroma_outage_leaves_nothing_visible_and_completes_exactly_once_when_rerun()
    {
        await using var chroma = new ChromaServer();
        await chroma.StartAsync();
        await using var proxy = NewProxy(chroma);
        var client = proxy.GrpcClient();
        var collection = await client.NewCollectionAsync("fault");
        var earlier = (await client.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText))[^1];

        // Stop Chroma once part of the long document is written.
        var request = new IngestDocumentRequest
        {
            Collection = collection, DocumentName = "archive.txt", Content = Google.Protobuf.ByteString.CopyFrom(TestDocuments.ShippingArchive),
            ChunkSize = 200, ChunkOverlap = 0,
        };
        var seen = new List<IngestProgress>();
        RpcException? failure = null;
        using (var call = client.IngestDocument(request))
        {
            try
            {
                await foreach (var update in call.ResponseStream.ReadAllAsync())
                {
                    seen.Add(update);
                    if (update.Stage == Stage.Writing && update.ChunksDone >= 16 && chroma.IsRunning) chroma.Stop();
                }
            }
            catch (RpcException ex)
            {
                failure = ex;
            }
        }
        var total = seen[0].ChunksTotal;
        Assert.True(seen.Max(u => u.ChunksDone) < total, "Chroma was stopped before the ingest could finish");
        Assert.NotNull(failure);
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Contains("retry", failure.Status.Detail);

        await chroma.StartAsync();

        // The half-written version is invisible; the earlier document is intact.
        var during = await client.AskAsync(collection, "shipping routes and harbour fees", k: 10);
        Assert.All(during.Results, r => Assert.Equal("sourdough.txt", r.DocumentName));
        Assert.Equal(1, (await client.CountsAsync(collection)).DocumentCount);

        var rerun = (await client.IngestAsync(collection, "archive.txt", TestDocuments.ShippingArchive, chunkSize: 200, overlap: 0))[^1];
        Assert.Equal(Stage.Committed, rerun.Stage);
        Assert.Equal(total, rerun.ChunksTotal);

        var counts = await client.CountsAsync(collection);
        Assert.Equal(2, counts.DocumentCount);
        Assert.Equal(earlier.ChunksTotal + total, counts.ChunkCount);
        var answer = await client.AskAsync(collection, "How long should sourdough dough ferment in bulk?", k: 1);
        Assert.Equal("sourdough.txt", answer.Results[0].DocumentName);
        var archive = await client.AskAsync(collection, "record number 150 about harbour fees", k: 3);
        Assert.Contains(archive.Results, r => r.DocumentName == "archive.txt");
    }

    [Fact]
    public async Task Data_survives_a_restart_of_chroma_and_the_proxy()
    {
        await using var chroma = new ChromaServer();
        await chroma.StartAsync();
        string collection;
        Collection before;
        await using (var proxy = NewProxy(chroma))
        {
            var client = proxy.GrpcClient();
            collection = await client.NewCollectionAsync("restart");
            await client.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown);
            await client.IngestAsync(collection, "lighthouses.pdf", TestDocuments.Pdf());
            before = await client.CountsAsync(collection);
        }
        chroma.Stop();

        await chroma.StartAsync();
        await using var restarted = NewProxy(chroma);
        var again = restarted.GrpcClient();

        var after = await again.CountsAsync(collection);
        Assert.Equal(before, after);
        var documents = (await again.ListDocumentsAsync(new ListDocumentsRequest { Collection = collection })).Documents;
        Assert.Equal(["lighthouses.pdf", "solar-power.md"], documents.Select(d => d.Name));
        var answer = await again.AskAsync(collection, "Who designed the lens for lighthouses?", k: 1);
        Assert.Equal("lighthouses.pdf", answer.Results[0].DocumentName);
        // Ingesting the same file after the restart still writes nothing new.
        Assert.True((await again.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown))[^1].Unchanged);
        Assert.Equal(before.ChunkCount, (await again.CountsAsync(collection)).ChunkCount);
    }
}
