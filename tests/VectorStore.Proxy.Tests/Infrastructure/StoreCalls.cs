using Google.Protobuf;
using Grpc.Core;
using MlStack.VectorStore.V1;
using Proto = MlStack.VectorStore.V1;

namespace MlStack.VectorStore.Tests.Infrastructure;

/// <summary>Short forms of the gRPC calls the tests repeat.</summary>
public static class StoreCalls
{
    public static async Task<List<IngestProgress>> IngestAsync(
        this Proto.VectorStore.VectorStoreClient client, string collection, string name, byte[] content,
        int chunkSize = 400, int overlap = 80, IDictionary<string, string>? metadata = null, string contentType = "")
    {
        var request = new IngestDocumentRequest
        {
            Collection = collection, DocumentName = name, Content = ByteString.CopyFrom(content),
            ChunkSize = chunkSize, ChunkOverlap = overlap, ContentType = contentType,
        };
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>()) request.Metadata[k] = v;
        using var call = client.IngestDocument(request);
        var updates = new List<IngestProgress>();
        await foreach (var update in call.ResponseStream.ReadAllAsync()) updates.Add(update);
        return updates;
    }

    public static async Task<QueryResponse> AskAsync(this Proto.VectorStore.VectorStoreClient client, string collection, string text, int k = 3, string filter = "") =>
        await client.QueryAsync(new QueryRequest { Collection = collection, Text = text, K = k, FilterJson = filter });

    public static async Task<Collection> CountsAsync(this Proto.VectorStore.VectorStoreClient client, string collection) =>
        await client.GetCollectionAsync(new GetCollectionRequest { Name = collection });

    public static async Task<string> NewCollectionAsync(this Proto.VectorStore.VectorStoreClient client, string prefix)
    {
        var name = StackFixture.NewCollectionName(prefix);
        await client.CreateCollectionAsync(new CreateCollectionRequest { Name = name });
        return name;
    }
}
