namespace MlStack.VectorStore.IntegrationTests.Infrastructure;

/// <summary>One real inference service and one real Chroma shared by the integration tests, plus a proxy over them.</summary>
public sealed class StoreFixture : IAsyncLifetime
{
    public InferenceProcess Inference { get; } = new(new Dictionary<string, string>(InferenceProcess.EmbeddingOnly)
    {
        ["Inference:ApiKey"] = ProxyFactory.InferenceKey,
    });
    public ChromaServer Chroma { get; } = new();
    public ProxyFactory Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Inference.StartAsync(), Chroma.StartAsync());
        Proxy = new ProxyFactory(Chroma.BaseAddress, Inference.GrpcAddress);
        _ = Proxy.Server;
    }

    /// <summary>Another proxy (a replica) over the same Chroma and inference, with settings of its own.</summary>
    public ProxyFactory NewProxy(IDictionary<string, string?> settings) => new(Chroma.BaseAddress, Inference.GrpcAddress, settings);

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
