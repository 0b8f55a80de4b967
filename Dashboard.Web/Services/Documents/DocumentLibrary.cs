using Google.Protobuf;
using Grpc.Core;
using MlStack.VectorStore.V1;
using VectorStoreClient = MlStack.VectorStore.V1.VectorStore.VectorStoreClient;

namespace MlStack.Dashboard.Services.Documents;

/// <summary>
/// The dashboard's typed client of VectorStore.Proxy: collections, documents, ingest with progress, and search. It
/// returns the dashboard's own records and reports every failure as a <see cref="BackendCallException"/>, so pages
/// never see gRPC types.
/// </summary>
public sealed class DocumentLibrary(VectorStoreClient client) : ISemanticSearch, IDocumentCollections
{
    public const string BackendName = "vector store";

    /// <summary>The proxy's own limit (VectorStore:MaxDocumentBytes, 16 MiB by default).</summary>
    public const long MaxDocumentBytes = 16 * 1024 * 1024;

    public const string MaxDocumentSizeText = "16 MiB";

    public static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text/plain",
        [".md"] = "text/markdown",
        [".markdown"] = "text/markdown",
        [".pdf"] = "application/pdf",
    };

    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public Task<IReadOnlyList<CollectionSummary>> ListCollectionsAsync(CancellationToken cancellationToken) => CallAsync(async () =>
        (IReadOnlyList<CollectionSummary>)[.. (await client.ListCollectionsAsync(new ListCollectionsRequest(), deadline: Deadline(), cancellationToken: cancellationToken))
            .Collections.Select(c => new CollectionSummary(c.Name, c.DocumentCount, c.ChunkCount))]);

    public Task CreateCollectionAsync(string name, CancellationToken cancellationToken) => CallAsync(async () =>
        (await client.CreateCollectionAsync(new CreateCollectionRequest { Name = name }, deadline: Deadline(), cancellationToken: cancellationToken)).Name);

    public Task DeleteCollectionAsync(string name, CancellationToken cancellationToken) => CallAsync(async () =>
        (await client.DeleteCollectionAsync(new DeleteCollectionRequest { Name = name }, deadline: Deadline(), cancellationToken: cancellationToken)) is not null);

    public Task<IReadOnlyList<DocumentSummary>> ListDocumentsAsync(string collection, CancellationToken cancellationToken) => CallAsync(async () =>
        (IReadOnlyList<DocumentSummary>)[.. (await client.ListDocumentsAsync(new ListDocumentsRequest { Collection = collection }, deadline: Deadline(), cancellationToken: cancellationToken))
            .Documents.Select(d => new DocumentSummary(d.Name, d.ContentType, d.ChunkCount, d.Characters, DateTimeOffset.FromUnixTimeMilliseconds(d.IngestedAtUnixMs)))]);

    public Task<int> DeleteDocumentAsync(string collection, string document, CancellationToken cancellationToken) => CallAsync(async () =>
        (await client.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = collection, DocumentName = document },
            deadline: Deadline(), cancellationToken: cancellationToken)).ChunksRemoved);

    /// <summary>Ingests one file, reporting each progress record the proxy streams; returns the last one (committed).</summary>
    public Task<IngestStep> IngestAsync(string collection, string fileName, ReadOnlyMemory<byte> content,
        Func<IngestStep, Task> onProgress, CancellationToken cancellationToken) => CallAsync(async () =>
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
        IngestStep? last = null;
        await foreach (var progress in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            last = new IngestStep(progress.Stage.ToString().ToLowerInvariant(), progress.ChunksDone, progress.ChunksTotal,
                progress.Stage == IngestProgress.Types.Stage.Committed);
            await onProgress(last);
        }
        return last ?? throw new BackendCallException($"The vector store ended the ingest of '{fileName}' without a progress record.", refused: false);
    });

    public Task<IReadOnlyList<Passage>> SearchAsync(string collection, string text, int k, CancellationToken cancellationToken) => CallAsync(async () =>
    {
        var response = await client.QueryAsync(new QueryRequest { Collection = collection, Text = text, K = k },
            deadline: Deadline(), cancellationToken: cancellationToken);
        return (IReadOnlyList<Passage>)[.. response.Results.Select(r => new Passage(r.DocumentName, r.ChunkIndex, r.Text, r.Score))];
    });

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            throw BackendProblem.ToException(BackendName, ex);
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow + CallTimeout;
}
