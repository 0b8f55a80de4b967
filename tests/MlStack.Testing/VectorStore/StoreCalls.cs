extern alias vectors;

using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using vectors::MlStack.VectorStore.V1;
using Proto = vectors::MlStack.VectorStore.V1;

namespace MlStack.Testing.VectorStore;

/// <summary>Short forms of the vector store's gRPC calls the tests repeat.</summary>
public static class StoreCalls
{
    /// <summary>A client whose calls carry the API key (none when <paramref name="key"/> is null).</summary>
    public static Proto.VectorStore.VectorStoreClient Client(GrpcChannel channel, string? key) =>
        new(key is null
            ? channel.CreateCallInvoker()
            : channel.CreateCallInvoker().Intercept(metadata =>
            {
                metadata.Add("authorization", $"Bearer {key}");
                return metadata;
            }));

    /// <summary>A collection name no other test uses.</summary>
    public static string NewCollectionName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 63)];

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
        var name = NewCollectionName(prefix);
        await client.CreateCollectionAsync(new CreateCollectionRequest { Name = name });
        return name;
    }
}
