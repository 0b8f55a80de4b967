using Google.Protobuf;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Collections;
using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Records;
using MlStack.VectorStore.Search;
using Stage = MlStack.VectorStore.V1.IngestProgress.Types.Stage;

namespace MlStack.VectorStore.IntegrationTests.Search;

/// <summary>Queries skip the chunks of an ingest that has not committed, however many of them are nearest.</summary>
[Collection(StoreCollection.Name)]
public sealed class UnfinishedIngestTests(StoreFixture store)
{
    private const string Question = "Which harbour fees and shipping routes does the archive record?";


    [Fact]
    public async Task A_query_whose_nearest_chunks_belong_to_an_unfinished_ingest_still_returns_k_committed_chunks()
    {
        // Small embedding batches make the ingest long enough to stop half-way.
        await using var proxy = store.NewProxy(new Dictionary<string, string?> { ["Embedding:BatchSize"] = "8" });
        var client = proxy.GrpcClient();
        var collection = await client.NewCollectionAsync("unfinished");
        await client.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText);
        await client.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown);
        var committedChunks = (await client.CountsAsync(collection)).ChunkCount;

        // The caller gives up on the archive once 48 of its chunks are written: they stay, never committed.
        using (var cancel = new CancellationTokenSource())
        using (var call = client.IngestDocument(new IngestDocumentRequest
               {
                   Collection = collection, DocumentName = "archive.txt", Content = ByteString.CopyFrom(TestDocuments.ShippingArchive), ChunkSize = 200, ChunkOverlap = 0,
               }, cancellationToken: cancel.Token))
        {
            await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await foreach (var update in call.ResponseStream.ReadAllAsync())
                {
                    if (update.Stage == Stage.Writing && update.ChunksDone >= 48) await cancel.CancelAsync();
                }
            });
        }
        var uncommitted = await WaitForStableChunkCountAsync(client, collection) - committedChunks;
        Assert.True(uncommitted >= 48, $"{uncommitted} chunks of the unfinished ingest");

        // The premise: among the nearest chunks Chroma holds, the first round's worth are all the unfinished ingest's.
        var nearest = await NearestInChromaAsync(proxy, collection, NearestCommittedChunks.FirstRequest(5));
        Assert.All(nearest, m => Assert.Equal("archive.txt", m.Chunk.DocumentName));

        var answer = await client.AskAsync(collection, Question, k: 5);

        Assert.Equal(5, answer.Results.Count);
        Assert.All(answer.Results, r => Assert.NotEqual("archive.txt", r.DocumentName));
        Assert.Equal(2, (await client.CountsAsync(collection)).DocumentCount);
    }

    /// <summary>The cancelled ingest may still be finishing its last batch; wait until the chunk count stops moving.</summary>
    private static async Task<long> WaitForStableChunkCountAsync(VectorStore.V1.VectorStore.VectorStoreClient client, string collection)
    {
        var last = -1L;
        while (true)
        {
            var now = (await client.CountsAsync(collection)).ChunkCount;
            if (now == last) return now;
            last = now;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<IReadOnlyList<ChunkMatch>> NearestInChromaAsync(ProxyFactory proxy, string collection, int n)
    {
        var stored = await proxy.Services.GetRequiredService<CollectionCatalog>().ResolveAsync(collection, default);
        var vector = (await proxy.Services.GetRequiredService<EmbeddingGateway>().EmbedAsync(stored.Model, [Question], default)).Vectors[0];
        var result = await proxy.Services.GetRequiredService<ChromaClient>().QueryAsync(stored.ChunksId, vector, n, where: null, default);
        return ChromaRecordMapper.ToChunkMatches(result);
    }
}
