using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlStack.VectorStore.IntegrationTests.Api;

/// <summary>The HTTP JSON API end to end: create, ingest (plain and streamed), list, query, delete.</summary>
[Collection(StoreCollection.Name)]
public sealed class HttpApiTests(StoreFixture store)
{
    [Fact]
    public async Task A_script_can_keep_a_collection_over_http()
    {
        using var http = store.Proxy.HttpClient();
        var name = StoreCalls.NewCollectionName("http");

        using (var created = await http.PostAsJsonAsync("/v1/collections", new { name }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(384, (int)(await created.Content.ReadFromJsonAsync<JsonObject>())!["embeddingDimensions"]!);
        }

        var markdown = new ByteArrayContent(TestDocuments.Markdown);
        markdown.Headers.ContentType = new("text/markdown");
        using (var ingested = await http.PutAsync($"/v1/collections/{name}/documents/guides/solar-power.md?chunkSize=400&chunkOverlap=50&meta.lang=en", markdown))
        {
            Assert.Equal(HttpStatusCode.OK, ingested.StatusCode);
            var result = (await ingested.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("Committed", result["stage"]!.ToString());
            Assert.True((int)result["chunksTotal"]! > 1);
        }

        // Streamed progress: one JSON line per update.
        using (var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/collections/{name}/documents/sourdough.txt?chunkSize=200&chunkOverlap=0"))
        {
            request.Content = new ByteArrayContent(TestDocuments.PlainText);
            request.Content.Headers.ContentType = new("text/plain");
            request.Headers.Accept.ParseAdd("application/x-ndjson");
            using var streamed = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("application/x-ndjson", streamed.Content.Headers.ContentType?.MediaType);
            var lines = (await streamed.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            Assert.Equal("Chunked", lines[0]["stage"]!.ToString());
            Assert.Equal("Committed", lines[^1]["stage"]!.ToString());
            Assert.Equal((int)lines[^1]["chunksTotal"]!, (int)lines[^1]["chunksDone"]!);
        }

        var documents = await http.GetFromJsonAsync<JsonArray>($"/v1/collections/{name}/documents");
        Assert.Equal(["guides/solar-power.md", "sourdough.txt"], documents!.Select(d => d!["name"]!.ToString()));
        Assert.Equal("en", documents![0]!["metadata"]!["lang"]!.ToString());

        using (var query = await http.PostAsJsonAsync($"/v1/collections/{name}/query", new { text = "what do photons do in a solar cell", k = 2, filter = new { lang = "en" } }))
        {
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
            var answer = (await query.Content.ReadFromJsonAsync<JsonObject>())!;
            var best = answer["results"]![0]!;
            Assert.Equal("guides/solar-power.md", best["documentName"]!.ToString());
            Assert.Contains("photons", best["text"]!.ToString());
            Assert.True((int)best["endOffset"]! > (int)best["startOffset"]!);
            Assert.Equal(JsonValueKind.Number, best["score"]!.GetValueKind());
        }

        using (var deleted = await http.DeleteAsync($"/v1/collections/{name}/documents/sourdough.txt"))
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        using (var deleted = await http.DeleteAsync($"/v1/collections/{name}"))
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using (var gone = await http.GetAsync($"/v1/collections/{name}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Metrics_show_ingest_query_chroma_and_collection_figures()
    {
        // A proxy of its own: the shared one's meters also carry the fuzz test's thousands of calls, and their series
        // limit is not what this test is about.
        await using var proxy = store.NewProxy(new Dictionary<string, string?>());
        var client = proxy.GrpcClient();
        var name = await client.NewCollectionAsync("metrics");
        await client.IngestAsync(name, "sourdough.txt", TestDocuments.PlainText);
        await client.AskAsync(name, "bread");

        using var http = proxy.HttpClient(key: null);
        var text = await http.GetStringAsync("/metrics");

        Assert.Contains("mlstack_vectorstore_ingest_chunks_total", text);
        Assert.Contains("mlstack_vectorstore_ingest_duration_seconds_bucket", text);
        Assert.Contains("mlstack_vectorstore_query_duration_seconds_bucket", text);
        Assert.Contains("mlstack_vectorstore_chroma_duration_seconds_bucket", text);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("mlstack_vectorstore_collection_documents{", StringComparison.Ordinal) && l.Contains($"collection=\"{name}\"") && l.EndsWith(" 1"));
        Assert.Contains(lines, l => l.StartsWith("mlstack_vectorstore_collection_chunks{", StringComparison.Ordinal) && l.Contains($"collection=\"{name}\""));
    }
}
