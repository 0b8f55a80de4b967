using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace MlStack.VectorStore.IntegrationTests.Api;

/// <summary>
/// Errors tell the caller what they did wrong and nothing else: no framework or database wording, type names, file
/// paths or long echoes of the caller's own strings; problems carry a trace id that finds the full story in the log.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class ErrorDetailTests(StoreFixture store)
{
    private static async Task<JsonObject> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        CleanDetail.Assert(problem["detail"]!.ToString());
        Assert.False(string.IsNullOrEmpty(problem["traceId"]?.ToString()));
        return problem;
    }

    [Fact]
    public async Task Http_refusals_of_unreadable_bodies_say_what_to_fix_in_our_own_words()
    {
        using var http = store.Proxy.HttpClient();
        var collection = await store.Proxy.GrpcClient().NewCollectionAsync("details");

        using (var body = new StringContent("{\"text\": \"bread\", \"k\": \"five\"}", Encoding.UTF8, "application/json"))
        using (var response = await http.PostAsync($"/v1/collections/{collection}/query", body))
            Assert.Contains("not valid JSON for this call", (await Problem(response, HttpStatusCode.BadRequest))["detail"]!.ToString());

        using (var body = new StringContent("{not json", Encoding.UTF8, "application/json"))
        using (var response = await http.PostAsync("/v1/collections", body))
            await Problem(response, HttpStatusCode.BadRequest);

        using (var body = new StringContent("text=bread", Encoding.UTF8, "application/x-www-form-urlencoded"))
        using (var response = await http.PostAsync($"/v1/collections/{collection}/query", body))
            await Problem(response, HttpStatusCode.UnsupportedMediaType);

        await store.AssertServingAndIntactAsync();
    }

    [Fact]
    public async Task Long_caller_strings_are_not_echoed_back()
    {
        var client = store.Proxy.GrpcClient();
        var longName = "collection-" + new string('x', 20_000);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.AskAsync(longName, "bread"));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        CleanDetail.Assert(ex.Status.Detail, longName);

        var collection = await client.NewCollectionAsync("echo");
        var longKey = "key-" + new string('k', 5000);
        var filter = await Assert.ThrowsAsync<RpcException>(async () => await client.AskAsync(collection, "bread", filter: "{\"" + longKey + "\":{\"$gt\":\"1\"}}"));
        Assert.Equal(StatusCode.InvalidArgument, filter.StatusCode);
        CleanDetail.Assert(filter.Status.Detail, longKey);

        var model = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.CreateCollectionAsync(new CreateCollectionRequest { Name = StoreCalls.NewCollectionName("model"), EmbeddingModel = "m-" + new string('m', 5000) }));
        Assert.Equal(StatusCode.InvalidArgument, model.StatusCode);
        CleanDetail.Assert(model.Status.Detail, "m-" + new string('m', 5000));

        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.CreateCollectionAsync(new CreateCollectionRequest { Name = StoreCalls.NewCollectionName("model"), EmbeddingModel = "no-such-model" }));
        Assert.Equal(StatusCode.FailedPrecondition, unknown.StatusCode);
        CleanDetail.Assert(unknown.Status.Detail);
        // The inference service's own wording stays in the proxy's log.
        Assert.DoesNotContain("repository", unknown.Status.Detail);

        using var http = store.Proxy.HttpClient();
        using var response = await http.GetAsync($"/v1/collections/{longName}");
        await Problem(response, HttpStatusCode.BadRequest);
        await store.AssertServingAndIntactAsync();
    }

    [Fact]
    public async Task An_unreadable_pdf_is_refused_without_the_parsers_wording()
    {
        var client = store.Proxy.GrpcClient();
        var collection = await client.NewCollectionAsync("parser");
        var broken = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.IngestAsync(collection, "broken.pdf", broken));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("document 'broken.pdf': the document is not a readable PDF", ex.Status.Detail);
        await store.AssertServingAndIntactAsync();
    }
}
