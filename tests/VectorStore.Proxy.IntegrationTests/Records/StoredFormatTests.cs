using System.Text.Json.Nodes;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.IntegrationTests.Records;

/// <summary>
/// A collection exactly as the proxy wrote it before the search cache (its keys spelt out here, no commit stamp on the
/// manifest collection) is listed, queried, replaced and deleted correctly.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class StoredFormatTests(StoreFixture store)
{
    private static readonly string[] Texts =
    [
        "Tides rise and fall twice a day because the moon's gravity pulls the oceans.",
        "Spring tides, the largest, come when the sun and moon line up at new and full moon.",
    ];

    [Fact]
    public async Task A_collection_written_by_the_earlier_proxy_is_read_queried_replaced_and_deleted()
    {
        var client = store.Proxy.GrpcClient();
        var chroma = store.Proxy.Services.GetRequiredService<ChromaClient>();
        var name = StoreCalls.NewCollectionName("legacy");
        var documentId = RecordKeys.DocumentIdOf("tides.txt");
        var vectors = await store.Proxy.Services.GetRequiredService<EmbeddingGateway>()
            .EmbedAsync("", [.. Texts, "A draft about the moon's pull on tides that was never committed."], default);

        await chroma.EnsureDatabaseAsync(default);
        var manifest = await chroma.GetOrCreateCollectionAsync(name + ".manifest", new() { ["mlstack:kind"] = "manifest" }, default);
        var chunks = await chroma.GetOrCreateCollectionAsync(name, new()
        {
            ["hnsw:space"] = "cosine", ["mlstack:kind"] = "chunks",
            ["mlstack:embedding_model"] = vectors.Model, ["mlstack:embedding_dimensions"] = vectors.Dimensions,
        }, default);
        var start = 0;
        var records = Texts.Select((text, i) =>
        {
            var record = new ChromaRecord($"{documentId}-v1-{i:D6}", vectors.Vectors[i], text, new()
            {
                ["doc_id"] = documentId, ["doc_name"] = "tides.txt", ["version"] = "v1", ["revision"] = $"{documentId}@v1",
                ["chunk_index"] = i, ["start"] = start, ["end"] = start + text.Length, ["meta.topic"] = "sea",
            });
            start += text.Length + 2;
            return record;
        }).ToList();
        // A chunk of a version whose ingest never committed.
        records.Add(new ChromaRecord($"{documentId}-v0-000000", vectors.Vectors[2], "draft", new()
        {
            ["doc_id"] = documentId, ["doc_name"] = "tides.txt", ["version"] = "v0", ["revision"] = $"{documentId}@v0",
            ["chunk_index"] = 0, ["start"] = 0, ["end"] = 5,
        }));
        await chroma.UpsertAsync(chunks.Id, records, default);
        await chroma.UpsertAsync(manifest.Id, [new ChromaRecord(documentId, [1f], "tides.txt", new Dictionary<string, JsonNode?>
        {
            ["doc_id"] = documentId, ["doc_name"] = "tides.txt", ["version"] = "v1", ["revision"] = $"{documentId}@v1",
            ["content_type"] = "text/plain", ["chunks"] = 2, ["characters"] = start - 2, ["ingested_at_ms"] = 1_700_000_000_000L,
            ["meta.topic"] = "sea",
        })], default);

        var documents = (await client.ListDocumentsAsync(new ListDocumentsRequest { Collection = name })).Documents;
        var document = Assert.Single(documents);
        Assert.Equal(("tides.txt", "v1", 2, 1_700_000_000_000L, "sea"), (document.Name, document.Version, document.ChunkCount, document.IngestedAtUnixMs, document.Metadata["topic"]));

        var answer = await client.AskAsync(name, "Why are there two tides a day?", k: 5);
        Assert.Equal([0, 1], answer.Results.Select(r => r.ChunkIndex).Order());
        Assert.All(answer.Results, r => Assert.Equal(("tides.txt", "sea"), (r.DocumentName, r.Metadata["topic"])));
        Assert.Equal(Texts[1], answer.Results.Single(r => r.ChunkIndex == 1).Text);
        Assert.Equal(Texts[0].Length + 2, answer.Results.Single(r => r.ChunkIndex == 1).StartOffset);

        // Replacing the document through the proxy leaves only the new version, the stale and the draft chunks gone.
        var replaced = (await client.IngestAsync(name, "tides.txt", "Neap tides are the smallest, at the quarter moons."u8.ToArray()))[^1];
        Assert.Equal(3, replaced.StaleChunksRemoved);
        var after = await client.AskAsync(name, "Why are there two tides a day?", k: 5);
        Assert.Contains("Neap", Assert.Single(after.Results).Text);

        await client.DeleteCollectionAsync(new DeleteCollectionRequest { Name = name });
        Assert.Null(await chroma.FindCollectionAsync(name + ".manifest", default));
    }
}
