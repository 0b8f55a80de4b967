using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MlStack.Testing;
using MlStack.VectorStore.V1;

namespace MlStack.LoadGenerator.IntegrationTests.Stack;

/// <summary>The whole stack started once for these tests, with a collection holding one document for the Query load.</summary>
public sealed class BenchStackFixture : IAsyncLifetime
{
    private readonly StackFixture _stack = new();

    public StackApp Stack => _stack.Stack;

    public string VectorsApiKey { get; private set; } = "";

    /// <summary>The inference API key every gRPC method and HTTP door of inference asks for (--api-key).</summary>
    public string InferenceApiKey { get; private set; } = "";

    public string Collection { get; } = $"bench-{Guid.NewGuid():N}"[..24];

    public async Task InitializeAsync()
    {
        await _stack.InitializeAsync();
        VectorsApiKey = await Stack.ParameterAsync("vectors-api-key");
        InferenceApiKey = await Stack.ParameterAsync("inference-api-key");
        using var channel = GrpcChannel.ForAddress(Stack.Endpoint("vectors", "grpc"));
        var client = new VectorStore.V1.VectorStore.VectorStoreClient(channel);
        var auth = new Metadata { { "authorization", $"Bearer {VectorsApiKey}" } };
        await client.CreateCollectionAsync(new CreateCollectionRequest { Name = Collection }, auth);
        using var ingest = client.IngestDocument(new IngestDocumentRequest
        {
            Collection = Collection,
            DocumentName = "serving.md",
            Content = ByteString.CopyFromUtf8(
                "# Serving\n\nA model server batches requests to use the accelerator well. " +
                "Latency under load grows when requests queue; an open-loop load generator shows that queueing.\n"),
        }, auth);
        await foreach (var _ in ingest.ResponseStream.ReadAllAsync())
        {
        }
    }

    public Task DisposeAsync() => _stack.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class BenchStackCollection : ICollectionFixture<BenchStackFixture>
{
    public const string Name = "bench-stack";
}
