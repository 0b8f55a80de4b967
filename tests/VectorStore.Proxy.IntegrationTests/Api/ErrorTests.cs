using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.IntegrationTests.Api;

/// <summary>Bad input gets a precise status and message, over gRPC and as problem+json over HTTP.</summary>
[Collection(StoreCollection.Name)]
public sealed class ErrorTests(StoreFixture store)
{
    private readonly VectorStore.V1.VectorStore.VectorStoreClient _client = store.Proxy.GrpcClient();

    private async Task<RpcException> IngestFails(string collection, string name, byte[] content, int chunkSize = 0, string contentType = "")
    {
        return await Assert.ThrowsAsync<RpcException>(() => _client.IngestAsync(collection, name, content, chunkSize, 0, contentType: contentType));
    }

    [Fact]
    public async Task Bad_documents_are_invalid_arguments_that_name_the_problem()
    {
        var collection = await _client.NewCollectionAsync("errors");

        var empty = await IngestFails(collection, "empty.txt", []);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("is empty", empty.Status.Detail);

        var blank = await IngestFails(collection, "blank.md", Encoding.UTF8.GetBytes("  \n\n  "));
        Assert.Equal(StatusCode.InvalidArgument, blank.StatusCode);
        Assert.Contains("no text", blank.Status.Detail);

        var type = await IngestFails(collection, "report.docx", [1, 2, 3]);
        Assert.Equal(StatusCode.InvalidArgument, type.StatusCode);
        Assert.Contains("unsupported document type '.docx'", type.Status.Detail);

        var badPdf = await IngestFails(collection, "fake.pdf", Encoding.UTF8.GetBytes("not a pdf at all"));
        Assert.Equal(StatusCode.InvalidArgument, badPdf.StatusCode);
        Assert.Contains("not a readable PDF", badPdf.Status.Detail);

        var binary = await IngestFails(collection, "binary.txt", [0xff, 0xfe, 0x00, 0x81]);
        Assert.Equal(StatusCode.InvalidArgument, binary.StatusCode);
        Assert.Contains("UTF-8", binary.Status.Detail);

        var size = await IngestFails(collection, "small.txt", Encoding.UTF8.GetBytes("text"), chunkSize: 10);
        Assert.Equal(StatusCode.InvalidArgument, size.StatusCode);
        Assert.Contains("chunk_size must be between", size.Status.Detail);

        var unknown = await IngestFails("no-such-collection", "a.txt", Encoding.UTF8.GetBytes("text"));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("collection 'no-such-collection' does not exist", unknown.Status.Detail);

        var badName = await IngestFails("Bad Name!", "a.txt", Encoding.UTF8.GetBytes("text"));
        Assert.Equal(StatusCode.InvalidArgument, badName.StatusCode);
        Assert.Contains("collection name 'Bad Name!' is invalid", badName.Status.Detail);

        // None of it left anything behind.
        var counts = await _client.CountsAsync(collection);
        Assert.Equal(0, counts.ChunkCount);
        Assert.Equal(0, counts.DocumentCount);
    }

    [Fact]
    public async Task Oversized_documents_are_refused_over_grpc_and_http()
    {
        await using var proxy = store.NewProxy(new Dictionary<string, string?> { ["VectorStore:MaxDocumentBytes"] = "4096" });
        var client = proxy.GrpcClient();
        var collection = await client.NewCollectionAsync("limits");
        var big = Encoding.UTF8.GetBytes(new string('a', 5000));

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.IngestAsync(collection, "big.txt", big));
        // Either the store's own check or gRPC's message limit refuses it; both are precise.
        Assert.True(ex.StatusCode is StatusCode.InvalidArgument or StatusCode.ResourceExhausted, ex.ToString());

        using var http = proxy.HttpClient();
        var content = new ByteArrayContent(big);
        content.Headers.ContentType = new("text/plain");
        using var response = await http.PutAsync($"/v1/collections/{collection}/documents/big.txt", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains("the limit is 4096", problem!["detail"]!.ToString());
    }

    [Fact]
    public async Task Queries_with_bad_arguments_say_what_is_wrong()
    {
        var collection = await _client.NewCollectionAsync("badquery");
        var cases = new (QueryRequest Request, StatusCode Status, string Message)[]
        {
            (new() { Collection = collection, Text = "" }, StatusCode.InvalidArgument, "query text is empty"),
            (new() { Collection = collection, Text = "x", K = 1000 }, StatusCode.InvalidArgument, "k must be between 1 and 100"),
            (new() { Collection = collection, Text = "x", FilterJson = "{oops" }, StatusCode.InvalidArgument, "filter is not valid JSON"),
            (new() { Collection = "missing-collection", Text = "x" }, StatusCode.NotFound, "does not exist"),
            (new() { Collection = collection, Text = "x", EmbeddingModel = "some-other-model" }, StatusCode.FailedPrecondition, "was built with embedding model 'all-MiniLM-L6-v2'"),
        };
        foreach (var (request, status, message) in cases)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.QueryAsync(request));
            Assert.Equal(status, ex.StatusCode);
            Assert.Contains(message, ex.Status.Detail);
        }
    }

    [Fact]
    public async Task A_collection_made_with_another_dimension_is_refused_with_failed_precondition()
    {
        // A collection written by a deployment whose model made 768-dimensional vectors.
        var name = StoreCalls.NewCollectionName("foreign");
        var chroma = store.Proxy.Services.GetRequiredService<ChromaClient>();
        await chroma.GetOrCreateCollectionAsync(name, new()
        {
            ["hnsw:space"] = "cosine",
            [RecordKeys.Kind] = "chunks",
            [RecordKeys.EmbeddingModel] = "all-MiniLM-L6-v2",
            [RecordKeys.EmbeddingDimensions] = 768,
        }, default);

        var query = await Assert.ThrowsAsync<RpcException>(async () => await _client.AskAsync(name, "anything"));
        var ingest = await Assert.ThrowsAsync<RpcException>(() => _client.IngestAsync(name, "a.txt", Encoding.UTF8.GetBytes("some text")));

        foreach (var ex in new[] { query, ingest })
        {
            Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
            Assert.Contains("(768 dimensions)", ex.Status.Detail);
            Assert.Contains("(384 dimensions)", ex.Status.Detail);
        }
    }

    [Fact]
    public async Task Creating_a_collection_with_an_unknown_model_is_refused()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.CreateCollectionAsync(new CreateCollectionRequest { Name = StoreCalls.NewCollectionName("nomodel"), EmbeddingModel = "no-such-model" }));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains("no-such-model", ex.Status.Detail);
    }

    [Fact]
    public async Task Http_errors_are_problem_details_with_the_right_status()
    {
        using var http = store.Proxy.HttpClient();

        async Task Expect(HttpResponseMessage response, HttpStatusCode status, string detail)
        {
            using (response)
            {
                Assert.Equal(status, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
                Assert.Equal((int)status, (int)problem!["status"]!);
                Assert.Contains(detail, problem["detail"]!.ToString());
            }
        }

        await Expect(await http.GetAsync("/v1/collections/missing-one"), HttpStatusCode.NotFound, "does not exist");
        await Expect(await http.PostAsJsonAsync("/v1/collections", new { name = "X" }), HttpStatusCode.BadRequest, "is invalid");
        var name = await _client.NewCollectionAsync("httperr");
        await Expect(await http.PostAsJsonAsync($"/v1/collections/{name}/query", new { text = "x", filter = new { a = 1 } }), HttpStatusCode.BadRequest, "must be a string");
        await Expect(await http.PostAsJsonAsync($"/v1/collections/{name}/query", new { text = "x", embeddingModel = "other" }), HttpStatusCode.Conflict, "was built with");
        using var docx = new ByteArrayContent([1, 2, 3]);
        docx.Headers.ContentType = new("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        await Expect(await http.PutAsync($"/v1/collections/{name}/documents/a.docx", docx), HttpStatusCode.BadRequest, "unsupported document type");
        using var badJson = new StringContent("{not json", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/v1/collections/{name}/query", badJson);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
