using System.Text;
using MlStack.VectorStore.Documents;
using Stage = MlStack.VectorStore.V1.IngestProgress.Types.Stage;

namespace MlStack.VectorStore.IntegrationTests.Api;

/// <summary>Ingest and query through the real proxy, real Chroma and the real inference service.</summary>
[Collection(StoreCollection.Name)]
public sealed class IngestAndQueryTests(StoreFixture store)
{
    private readonly VectorStore.V1.VectorStore.VectorStoreClient _client = store.Proxy.GrpcClient();

    [Fact]
    public async Task Each_question_finds_the_file_that_answers_it_first()
    {
        var collection = await _client.NewCollectionAsync("sources");
        var pdf = TestDocuments.Pdf();
        await _client.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown);
        await _client.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText);
        await _client.IngestAsync(collection, "lighthouses.pdf", pdf);

        var cases = new (string Question, string Document, string Expected)[]
        {
            ("How does a photovoltaic cell turn sunlight into electric current?", "solar-power.md", "photons"),
            ("How many hours should the sourdough dough ferment in bulk?", "sourdough.txt", "four to six hours"),
            ("Who designed the glass lens that made lighthouse beams visible far out at sea?", "lighthouses.pdf", "Fresnel"),
        };
        foreach (var (question, document, expected) in cases)
        {
            var answer = await _client.AskAsync(collection, question);
            Assert.Equal(3, answer.Results.Count);
            var best = answer.Results[0];
            Assert.Equal(document, best.DocumentName);
            Assert.Contains(expected, best.Text);
            Assert.True(best.Score > answer.Results[^1].Score || answer.Results.Count == 1);
            Assert.InRange(best.Score, 0.2f, 1.0f);
        }

        // Offsets point into the document's extracted text.
        var markdownText = TextExtractor.Extract(TestDocuments.Markdown, DocumentFormat.Markdown);
        var solar = (await _client.AskAsync(collection, "inverter replacement and panel maintenance", k: 5)).Results
            .First(r => r.DocumentName == "solar-power.md");
        Assert.Equal(markdownText[solar.StartOffset..solar.EndOffset], solar.Text);

        var documents = (await _client.ListDocumentsAsync(new ListDocumentsRequest { Collection = collection })).Documents;
        Assert.Equal(["lighthouses.pdf", "solar-power.md", "sourdough.txt"], documents.Select(d => d.Name));
        Assert.Equal([DocumentFormat.Pdf, DocumentFormat.Markdown, DocumentFormat.PlainText], documents.Select(d => d.ContentType));
        var counts = await _client.CountsAsync(collection);
        Assert.Equal(3, counts.DocumentCount);
        Assert.Equal(documents.Sum(d => d.ChunkCount), counts.ChunkCount);
        Assert.Equal(384, counts.EmbeddingDimensions);
        Assert.Equal("all-MiniLM-L6-v2", counts.EmbeddingModel);
    }

    [Fact]
    public async Task Ingest_streams_progress_from_chunked_to_committed()
    {
        var collection = await _client.NewCollectionAsync("progress");
        var text = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 200).Select(i => $"Paragraph {i} talks about item number {i} in some detail.")));

        var updates = await _client.IngestAsync(collection, "items.txt", text, chunkSize: 120, overlap: 0);

        Assert.Equal(Stage.Chunked, updates[0].Stage);
        Assert.Equal(0, updates[0].ChunksDone);
        var total = updates[0].ChunksTotal;
        Assert.True(total > 10);
        var writing = updates.Where(u => u.Stage == Stage.Writing).Select(u => u.ChunksDone).ToList();
        Assert.True(writing.Count >= 2, "progress arrives batch by batch");
        Assert.Equal(writing.Order(), writing);
        Assert.Equal(total, writing[^1]);
        Assert.Equal(Stage.Committed, updates[^1].Stage);
        Assert.Equal(total, updates[^1].ChunksDone);
        Assert.False(updates[^1].Unchanged);
    }

    [Fact]
    public async Task Ingesting_the_same_document_twice_leaves_the_same_records()
    {
        var collection = await _client.NewCollectionAsync("twice");
        var first = (await _client.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown))[^1];
        var before = await _client.CountsAsync(collection);

        var second = (await _client.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown))[^1];
        var after = await _client.CountsAsync(collection);

        Assert.True(second.Unchanged);
        Assert.Equal(first.Version, second.Version);
        Assert.Equal(before.ChunkCount, after.ChunkCount);
        Assert.Equal(1, after.DocumentCount);
        Assert.Equal(first.ChunksTotal, after.ChunkCount);
    }

    [Fact]
    public async Task A_new_version_with_fewer_chunks_replaces_the_old_one_entirely()
    {
        var collection = await _client.NewCollectionAsync("versions");
        var v1 = string.Join("\n\n", Enumerable.Range(0, 20).Select(i => $"Old paragraph {i} mentions the zeppelin hangar {i}."));
        await _client.IngestAsync(collection, "notes.txt", Encoding.UTF8.GetBytes(v1), chunkSize: 150, overlap: 0);
        var v1Chunks = (await _client.CountsAsync(collection)).ChunkCount;

        var committed = (await _client.IngestAsync(collection, "notes.txt", Encoding.UTF8.GetBytes("The new notes are short and talk about gardening tomatoes."), chunkSize: 150, overlap: 0))[^1];

        Assert.Equal(v1Chunks, committed.StaleChunksRemoved);
        var counts = await _client.CountsAsync(collection);
        Assert.Equal(1, counts.ChunkCount);
        Assert.Equal(1, counts.DocumentCount);
        var answer = await _client.AskAsync(collection, "zeppelin hangar", k: 5);
        Assert.Single(answer.Results);
        Assert.Contains("tomatoes", answer.Results[0].Text);
    }

    [Fact]
    public async Task Metadata_filters_restrict_the_results()
    {
        var collection = await _client.NewCollectionAsync("filters");
        await _client.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown, metadata: new Dictionary<string, string> { ["topic"] = "energy" });
        await _client.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText, metadata: new Dictionary<string, string> { ["topic"] = "food" });

        var food = await _client.AskAsync(collection, "solar panels on the roof", k: 10, filter: """{"topic": "food"}""");
        Assert.NotEmpty(food.Results);
        Assert.All(food.Results, r => Assert.Equal("sourdough.txt", r.DocumentName));
        Assert.All(food.Results, r => Assert.Equal("food", r.Metadata["topic"]));

        var byName = await _client.AskAsync(collection, "bread", k: 10, filter: """{"$or": [{"document": "solar-power.md"}, {"topic": {"$in": ["none"]}}]}""");
        Assert.All(byName.Results, r => Assert.Equal("solar-power.md", r.DocumentName));

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.AskAsync(collection, "bread", filter: """{"topic": {"$regex": "f.*"}}"""));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("$regex", ex.Status.Detail);
    }

    [Fact]
    public async Task Deleting_a_document_removes_it_from_queries_and_counts()
    {
        var collection = await _client.NewCollectionAsync("deletes");
        await _client.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown);
        var sourdough = (await _client.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText))[^1];

        var removed = await _client.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = collection, DocumentName = "sourdough.txt" });

        Assert.Equal(sourdough.ChunksTotal, removed.ChunksRemoved);
        var answer = await _client.AskAsync(collection, "sourdough starter feeding", k: 10);
        Assert.DoesNotContain(answer.Results, r => r.DocumentName == "sourdough.txt");
        Assert.Equal(1, (await _client.CountsAsync(collection)).DocumentCount);
        var again = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = collection, DocumentName = "sourdough.txt" }));
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Collections_are_created_listed_and_deleted()
    {
        var name = await _client.NewCollectionAsync("lifecycle");
        // Creating again with the same (default) model returns the existing collection.
        var again = await _client.CreateCollectionAsync(new CreateCollectionRequest { Name = name });
        Assert.Equal(name, again.Name);

        var listed = (await _client.ListCollectionsAsync(new ListCollectionsRequest())).Collections;
        Assert.Contains(listed, c => c.Name == name && c.EmbeddingDimensions == 384);
        Assert.DoesNotContain(listed, c => c.Name.Contains('.'));

        await _client.DeleteCollectionAsync(new DeleteCollectionRequest { Name = name });
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.CountsAsync(name));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Contains(name, ex.Status.Detail);
    }
}
