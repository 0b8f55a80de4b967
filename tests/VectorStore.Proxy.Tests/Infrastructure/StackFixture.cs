namespace MlStack.VectorStore.Tests.Infrastructure;

/// <summary>One real inference service and one real Chroma shared by the integration tests, plus a proxy over them.</summary>
public sealed class StackFixture : IAsyncLifetime
{
    public InferenceServer Inference { get; } = new();
    public ChromaServer Chroma { get; } = new();
    public ProxyFactory Proxy { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Task.WhenAll(Inference.StartAsync(), Chroma.StartAsync());
        Proxy = new ProxyFactory(Chroma.BaseAddress, Inference.GrpcAddress);
        _ = Proxy.Server;
    }

    public async Task DisposeAsync()
    {
        await Proxy.DisposeAsync();
        await Chroma.DisposeAsync();
        await Inference.DisposeAsync();
    }

    /// <summary>A collection name no other test uses.</summary>
    public static string NewCollectionName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "stack";
}
