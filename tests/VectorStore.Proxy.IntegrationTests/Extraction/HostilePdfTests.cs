using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MlStack.VectorStore.Extraction;

namespace MlStack.VectorStore.IntegrationTests.Extraction;

/// <summary>
/// Hostile PDFs (generated on every run by <see cref="HostilePdfs"/>) get INVALID_ARGUMENT / 400 and cannot take the
/// proxy down: each is read by the real extraction worker process, within the configured limits. After each, the
/// proxy answers a valid request and the sentinel document is intact.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class HostilePdfTests(StoreFixture store)
{
    // 2 GiB of spaces in about 2 MB: past the default limits (256 MiB decompressed, 1 GiB worker heap). Made once.
    private static readonly Lazy<byte[]> LargeBomb = new(() => HostilePdfs.FlateBomb(inflatedBytes: 2L << 30));

    private static async Task<RpcException> Refused(VectorStore.V1.VectorStore.VectorStoreClient client, byte[] pdf, string? message = null)
    {
        var collection = await client.NewCollectionAsync("hostile");
        var ex = await Assert.ThrowsAsync<RpcException>(() => client.IngestAsync(collection, "hostile.pdf", pdf));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        if (message is not null) Assert.Contains(message, ex.Status.Detail);
        Assert.Equal(0, (await client.CountsAsync(collection)).ChunkCount);
        return ex;
    }

    [Fact]
    public async Task A_flate_bomb_is_refused_at_the_decompressed_size_limit()
    {
        await using var proxy = store.NewProxy(new Dictionary<string, string?> { ["VectorStore:MaxPdfDecompressedBytes"] = $"{8 << 20}" });
        var bomb = HostilePdfs.FlateBomb(inflatedBytes: 512L << 20);
        Assert.True(bomb.Length < 1 << 20, $"the bomb is {bomb.Length} bytes");

        await Refused(proxy.GrpcClient(), bomb, $"the PDF's streams decompress to more than {8 << 20} bytes");

        // Over HTTP the same file is a 400 problem.
        using var http = proxy.HttpClient();
        var collection = await proxy.GrpcClient().NewCollectionAsync("hostile-http");
        using var content = new ByteArrayContent(bomb);
        content.Headers.ContentType = new("application/pdf");
        using var response = await http.PutAsync($"/v1/collections/{collection}/documents/bomb.pdf", content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("decompress to more than", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.ToString());
        await store.AssertServingAndIntactAsync(proxy);
    }

    [Fact]
    public async Task A_flate_bomb_within_the_default_limit_of_memory_is_refused_too()
    {
        await Refused(store.Proxy.GrpcClient(), LargeBomb.Value, "decompress to more than");
        await store.AssertServingAndIntactAsync();
    }

    [Theory]
    [InlineData("arrays")]
    [InlineData("dictionaries")]
    [InlineData("content")]
    [InlineData("page-tree")]
    [InlineData("self-drawing-form")]
    public async Task Deeply_nested_objects_cannot_overflow_the_proxys_stack(string kind)
    {
        var pdf = kind switch
        {
            "arrays" => HostilePdfs.NestedArrays(200_000),
            "dictionaries" => HostilePdfs.NestedDictionaries(100_000),
            "content" => HostilePdfs.NestedContent(200_000),
            "page-tree" => HostilePdfs.DeepPageTree(50_000),
            _ => HostilePdfs.SelfDrawingForm(),
        };
        // A 10 s limit keeps the test short: PdfPig spends minutes on some of these before its own guard refuses them.
        await using var proxy = store.NewProxy(new Dictionary<string, string?> { ["VectorStore:ExtractionTimeout"] = "00:00:10" });
        var client = proxy.GrpcClient();
        var collection = await client.NewCollectionAsync("nested");
        try
        {
            // Refused (by the parser's depth guard, or at the time limit), or, where the parser skips the hostile part,
            // read without it: never a crash of the proxy.
            var progress = await client.IngestAsync(collection, $"{kind}.pdf", pdf);
            Assert.Equal(IngestProgress.Types.Stage.Committed, progress[^1].Stage);
        }
        catch (RpcException ex)
        {
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.StartsWith("document '", ex.Status.Detail);
        }
        Assert.Equal(0, proxy.Services.GetRequiredService<PdfExtractionWorker>().Running);
        await store.AssertServingAndIntactAsync(proxy);
    }

    [Fact]
    public async Task Too_many_pages_are_refused_before_any_is_read()
    {
        await using var proxy = store.NewProxy(new Dictionary<string, string?> { ["VectorStore:MaxPdfPages"] = "3" });
        await Refused(proxy.GrpcClient(), HostilePdfs.Pages(["One.", "Two.", "Three.", "Four.", "Five."]), "the PDF has 5 pages; the limit is 3");

        var collection = await proxy.GrpcClient().NewCollectionAsync("pages");
        await proxy.GrpcClient().IngestAsync(collection, "three.pdf", HostilePdfs.Pages(["One harbour.", "Two ships.", "Three cranes."]));
        Assert.Equal(1, (await proxy.GrpcClient().CountsAsync(collection)).DocumentCount);
        await store.AssertServingAndIntactAsync(proxy);
    }

    [Fact]
    public async Task Too_much_text_is_refused()
    {
        await using var proxy = store.NewProxy(new Dictionary<string, string?> { ["VectorStore:MaxExtractedChars"] = "2048" });
        var pages = Enumerable.Range(0, 4).Select(i => $"Page {i} " + string.Concat(Enumerable.Repeat("words on a page ", 60))).ToList();
        await Refused(proxy.GrpcClient(), HostilePdfs.Pages(pages), "longer than 2048 characters");
        await store.AssertServingAndIntactAsync(proxy);
    }

    [Fact]
    public async Task An_extraction_past_the_time_limit_is_stopped_and_refused()
    {
        await using var proxy = store.NewProxy(new Dictionary<string, string?> { ["VectorStore:ExtractionTimeout"] = "00:00:00.005" });
        await Refused(proxy.GrpcClient(), TestDocuments.Pdf(), "took longer than the limit");
        Assert.Equal(0, proxy.Services.GetRequiredService<PdfExtractionWorker>().Running);
        await store.AssertServingAndIntactAsync(proxy);
    }

    [Fact]
    public async Task A_cancelled_extraction_stops_its_worker()
    {
        var workers = store.Proxy.Services.GetRequiredService<PdfExtractionWorker>();
        using var cancel = new CancellationTokenSource();
        var extraction = workers.ExtractAsync(LargeBomb.Value, cancel.Token);
        await Polling.UntilAsync(() => Task.FromResult(workers.Running), running => running == 1, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => extraction);
        Assert.Equal(0, workers.Running);
        await store.AssertServingAndIntactAsync();
    }

    [Fact]
    public async Task A_valid_pdf_still_reads_through_the_worker()
    {
        var client = store.Proxy.GrpcClient();
        var collection = await client.NewCollectionAsync("goodpdf");
        await client.IngestAsync(collection, "lighthouses.pdf", TestDocuments.Pdf());
        var hit = (await client.AskAsync(collection, "who designed the lens", k: 1)).Results.Single();
        Assert.Contains("Fresnel", hit.Text);
        await store.AssertServingAndIntactAsync();
    }
}
