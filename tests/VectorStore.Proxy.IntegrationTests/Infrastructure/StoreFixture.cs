using System.Net;
using Proto = MlStack.VectorStore.V1;

namespace MlStack.VectorStore.IntegrationTests.Infrastructure;

/// <summary>
/// One real inference service and one real Chroma shared by the integration tests, plus a proxy over them, and a
/// sentinel: a collection with one committed document, written at start, that no test names, so a test that throws
/// bad input at the store can check afterwards that the store still serves and that nothing stored was lost.
/// </summary>
public sealed class StoreFixture : IAsyncLifetime
{
    public InferenceProcess Inference { get; } = new(new Dictionary<string, string>(InferenceProcess.EmbeddingOnly)
    {
        ["Inference:ApiKey"] = ProxyFactory.InferenceKey,
    });
    public ChromaServer Chroma { get; } = new();
    public ProxyFactory Proxy { get; private set; } = null!;

    private string _sentinel = "";
    private Proto.Document _sentinelDocument = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Inference.StartAsync(), Chroma.StartAsync());
        Proxy = new ProxyFactory(Chroma.BaseAddress, Inference.GrpcAddress);
        var client = Proxy.GrpcClient();
        _sentinel = await client.NewCollectionAsync("sentinel");
        await client.IngestAsync(_sentinel, "sourdough.txt", TestDocuments.PlainText);
        _sentinelDocument = (await client.ListDocumentsAsync(new ListDocumentsRequest { Collection = _sentinel })).Documents.Single();
    }

    /// <summary>Another proxy (a replica) over the same Chroma and inference, with settings of its own.</summary>
    public ProxyFactory NewProxy(IDictionary<string, string?> settings) => new(Chroma.BaseAddress, Inference.GrpcAddress, settings);

    /// <summary>
    /// The proxy (the fixture's, or <paramref name="proxy"/>) answers a valid query over gRPC and a valid read over
    /// HTTP, and the sentinel document is still committed with the same version and all its chunks.
    /// </summary>
    public async Task AssertServingAndIntactAsync(ProxyFactory? proxy = null)
    {
        proxy ??= Proxy;
        var client = proxy.GrpcClient();
        var answer = await client.AskAsync(_sentinel, "how long should the dough rise", k: 1);
        Assert.Equal("sourdough.txt", Assert.Single(answer.Results).DocumentName);

        var document = Assert.Single((await client.ListDocumentsAsync(new ListDocumentsRequest { Collection = _sentinel })).Documents);
        Assert.Equal((_sentinelDocument.Version, _sentinelDocument.ChunkCount), (document.Version, document.ChunkCount));
        Assert.Equal(_sentinelDocument.ChunkCount, (await client.CountsAsync(_sentinel)).ChunkCount);

        using var http = proxy.HttpClient();
        using var response = await http.GetAsync($"/v1/collections/{_sentinel}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Chroma.DisposeAsync();
        await Inference.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StoreCollection : ICollectionFixture<StoreFixture>
{
    public const string Name = "store";
}
