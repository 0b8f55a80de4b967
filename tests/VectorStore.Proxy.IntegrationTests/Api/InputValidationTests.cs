using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using MlStack.VectorStore.Ingestion;

namespace MlStack.VectorStore.IntegrationTests.Api;

/// <summary>
/// Issue 11's vector store input: names checked to their last character, metric labels only from collections that
/// exist, bounded filters, document locks freed, versions that cannot collide, and the store serving on after each.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class InputValidationTests(StoreFixture store)
{
    private readonly VectorStore.V1.VectorStore.VectorStoreClient _client = store.Proxy.GrpcClient();

    [Fact]
    public async Task A_collection_name_with_a_trailing_newline_is_an_invalid_argument_on_every_call()
    {
        var name = await _client.NewCollectionAsync("newline");
        await _client.IngestAsync(name, "sourdough.txt", TestDocuments.PlainText);
        var withNewline = name + "\n";

        async Task Invalid(Func<Task> call)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains("collection name is invalid", ex.Status.Detail);
        }
        await Invalid(async () => await _client.CreateCollectionAsync(new CreateCollectionRequest { Name = withNewline }));
        await Invalid(async () => await _client.GetCollectionAsync(new GetCollectionRequest { Name = withNewline }));
        await Invalid(async () => await _client.DeleteCollectionAsync(new DeleteCollectionRequest { Name = withNewline }));
        await Invalid(async () => await _client.AskAsync(withNewline, "bread"));
        await Invalid(() => _client.IngestAsync(withNewline, "a.txt", "text"u8.ToArray()));
        await Invalid(async () => await _client.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = withNewline, DocumentName = "sourdough.txt" }));
        await Invalid(async () => await _client.ListDocumentsAsync(new ListDocumentsRequest { Collection = withNewline }));

        using var http = store.Proxy.HttpClient();
        using (var created = await http.PostAsJsonAsync("/v1/collections", new { name = withNewline }))
            Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        using (var got = await http.GetAsync($"/v1/collections/{Uri.EscapeDataString(withNewline)}"))
            Assert.Equal(HttpStatusCode.BadRequest, got.StatusCode);
        using (var deleted = await http.DeleteAsync($"/v1/collections/{Uri.EscapeDataString(withNewline)}"))
            Assert.Equal(HttpStatusCode.BadRequest, deleted.StatusCode);

        // The collection of that name without the newline is untouched.
        Assert.Equal(1, (await _client.CountsAsync(name)).DocumentCount);
        await store.AssertServingAndIntactAsync();
    }

    [Fact]
    public async Task Metric_labels_name_only_collections_that_exist()
    {
        var marker = Guid.NewGuid().ToString("N")[..12];
        var invalid = $"Bad Name {marker}\n";
        var missing = $"missing-{marker}";
        foreach (var collection in new[] { invalid, missing })
        {
            await Assert.ThrowsAsync<RpcException>(async () => await _client.AskAsync(collection, "bread"));
            await Assert.ThrowsAsync<RpcException>(() => _client.IngestAsync(collection, "a.txt", "text"u8.ToArray()));
        }
        var existing = await _client.NewCollectionAsync("labels");
        await _client.AskAsync(existing, "bread");

        using var http = store.Proxy.HttpClient(key: null);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.DoesNotContain(marker, metrics);
        Assert.Contains("collection=\"unknown\"", metrics);
        Assert.Contains($"collection=\"{existing}\"", metrics);
        await store.AssertServingAndIntactAsync();
    }

    [Fact]
    public async Task Filters_beyond_their_bounds_are_invalid_arguments()
    {
        var collection = await _client.NewCollectionAsync("bounds");
        await _client.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText, metadata: new Dictionary<string, string> { ["lang"] = "en" });
        var cases = new (string Filter, string Message)[]
        {
            (new JsonObject(Enumerable.Range(0, 40).Select(i => KeyValuePair.Create($"k{i}", (JsonNode?)"v"))).ToJsonString(), "more than 32 conditions"),
            (new JsonObject { ["lang"] = new JsonObject { ["$in"] = new JsonArray(Enumerable.Range(0, 300).Select(i => (JsonNode?)$"v{i}").ToArray()) } }.ToJsonString(),
                "more than 256 values"),
            ($$"""{"lang":"{{new string('x', 9000)}}"}""", "the limit is 8192"),
            (string.Concat(Enumerable.Repeat("""{"$or":[""", 12)) + """{"lang":"en"}""" + string.Concat(Enumerable.Repeat("]}", 12)), "nested"),
        };
        foreach (var (filter, message) in cases)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.AskAsync(collection, "bread", filter: filter));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains(message, ex.Status.Detail);
        }

        using var http = store.Proxy.HttpClient();
        using var content = new StringContent($$"""{"text":"bread","filter":{{cases[0].Filter}}}""", Encoding.UTF8, "application/json");
        using (var response = await http.PostAsync($"/v1/collections/{collection}/query", content))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("more than 32 conditions", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.ToString());
        }

        // A filter within the bounds still works.
        var answer = await _client.AskAsync(collection, "bread", filter: """{"lang":{"$in":["en","de"]}}""");
        Assert.NotEmpty(answer.Results);
        await store.AssertServingAndIntactAsync();
    }

    [Fact]
    public async Task Document_locks_are_freed_when_the_writes_end()
    {
        var collection = await _client.NewCollectionAsync("locks");
        var locks = store.Proxy.Services.GetRequiredService<DocumentLocks>();
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            _client.IngestAsync(collection, $"note-{i % 4}-{i}.txt", Encoding.UTF8.GetBytes($"Note {i} about bread and ovens."))));
        await _client.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = collection, DocumentName = "note-0-0.txt" });
        await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = collection, DocumentName = "never-written.txt" }));

        Assert.Equal(0, locks.Count);
        Assert.Equal(11, (await _client.CountsAsync(collection)).DocumentCount);
        await store.AssertServingAndIntactAsync();
    }

    [Fact]
    public async Task Ingests_that_collide_under_plain_concatenation_get_different_versions()
    {
        var collection = await _client.NewCollectionAsync("versions");
        var text = Encoding.UTF8.GetBytes("The harbour opens at dawn.");

        var first = (await _client.IngestAsync(collection, "notice.txt", text, metadata: new Dictionary<string, string> { ["a"] = "b\nc=d" }))[^1];
        var second = (await _client.IngestAsync(collection, "notice.txt", text, metadata: new Dictionary<string, string> { ["a"] = "b", ["c"] = "d" }))[^1];

        // Under "key=value\n" concatenation both read the same, and the second ingest was skipped as unchanged,
        // leaving the first one's metadata in place.
        Assert.False(second.Unchanged);
        Assert.NotEqual(first.Version, second.Version);
        var document = Assert.Single((await _client.ListDocumentsAsync(new ListDocumentsRequest { Collection = collection })).Documents);
        Assert.Equal(second.Version, document.Version);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "b", ["c"] = "d" }, document.Metadata);
        var hit = Assert.Single((await _client.AskAsync(collection, "harbour", k: 1, filter: """{"c":"d"}""")).Results);
        Assert.Equal("notice.txt", hit.DocumentName);

        // The same content again is still recognised as unchanged.
        var again = (await _client.IngestAsync(collection, "notice.txt", text, metadata: new Dictionary<string, string> { ["c"] = "d", ["a"] = "b" }))[^1];
        Assert.True(again.Unchanged);
        await store.AssertServingAndIntactAsync();
    }
}
