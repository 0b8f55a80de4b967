using Google.Protobuf;
using Grpc.Core;
using MlStack.VectorStore.V1;
using VectorStoreClient = MlStack.VectorStore.V1.VectorStore.VectorStoreClient;

namespace MlStack.Dashboard.Services.Documents;

/// <summary>The dashboard's typed client of VectorStore.Proxy: collections, documents, ingest with progress, and search.</summary>
public sealed class DocumentLibrary(VectorStoreClient client) : ISemanticSearch
{
    /// <summary>The proxy's own limit (VectorStore:MaxDocumentBytes, 16 MiB by default).</summary>
    public const long MaxDocumentBytes = 16 * 1024 * 1024;

    public static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".markdown"] = "text/markdown",
        [".pdf"] = "application/pdf",
    };

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public async Task<IReadOnlyList<Collection>> ListCollectionsAsync(CancellationToken cancellationToken) =>
        (await client.ListCollectionsAsync(new ListCollectionsRequest(), deadline: Deadline(), cancellationToken: cancellationToken)).Collections;

    public async Task<Collection> CreateCollectionAsync(string name, CancellationToken cancellationToken) =>
        await client.CreateCollectionAsync(new CreateCollectionRequest { Name = name }, deadline: Deadline(), cancellationToken: cancellationToken);

    public async Task DeleteCollectionAsync(string name, CancellationToken cancellationToken) =>
        await client.DeleteCollectionAsync(new DeleteCollectionRequest { Name = name }, deadline: Deadline(), cancellationToken: cancellationToken);

    public async Task<IReadOnlyList<Document>> ListDocumentsAsync(string collection, CancellationToken cancellationToken) =>
        (await client.ListDocumentsAsync(new ListDocumentsRequest { Collection = collection }, deadline: Deadline(), cancellationToken: cancellationToken)).Documents;

    public async Task<int> DeleteDocumentAsync(string collection, string document, CancellationToken cancellationToken) =>
        (await client.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = collection, DocumentName = document },
            deadline: Deadline(), cancellationToken: cancellationToken)).ChunksRemoved;

    /// <summary>Ingests one file, reporting each progress record the proxy streams; returns the last one (COMMITTED).</summary>
    public async Task<IngestProgress> IngestAsync(string collection, string fileName, ReadOnlyMemory<byte> content,
        Func<IngestProgress, Task> onProgress, CancellationToken cancellationToken)
    {
        var request = new IngestDocumentRequest
        {
            Collection = collection,
            DocumentName = fileName,
            ContentType = ContentTypes.GetValueOrDefault(Path.GetExtension(fileName)) ?? "",
            Content = ByteString.CopyFrom(content.Span),
        };
        // No deadline: a large PDF takes as long as embedding it takes; the page's cancellation still ends it.
        using var call = client.IngestDocument(request, cancellationToken: cancellationToken);
        IngestProgress? last = null;
        await foreach (var progress in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            last = progress;
            await onProgress(progress);
        }
        return last ?? throw new InvalidOperationException($"The vector store ended the ingest of '{fileName}' without a progress record.");
    }

    public async Task<IReadOnlyList<Passage>> SearchAsync(string collection, string text, int k, CancellationToken cancellationToken)
    {
        var response = await client.QueryAsync(new QueryRequest { Collection = collection, Text = text, K = k },
            deadline: Deadline(), cancellationToken: cancellationToken);
        return [.. response.Results.Select(r => new Passage(r.DocumentName, r.ChunkIndex, r.Text, r.Score))];
    }

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;
}
