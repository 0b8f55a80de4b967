using Grpc.Core;
using MlStack.VectorStore.Collections;
using MlStack.VectorStore.Ingestion;
using MlStack.VectorStore.Records;
using MlStack.VectorStore.Search;
using MlStack.VectorStore.V1;
using Proto = MlStack.VectorStore.V1;

namespace MlStack.VectorStore.Api;

/// <summary>
/// The gRPC API <c>mlstack.vectorstore.v1.VectorStore</c> (Protos/vectorstore.proto): maps its messages to the
/// collection catalog, the document ingestor and the semantic search, and back.
/// </summary>
public sealed class VectorStoreService(CollectionCatalog collections, DocumentIngestor documents, SemanticSearch search)
    : Proto.VectorStore.VectorStoreBase
{
    public override async Task<Collection> CreateCollection(CreateCollectionRequest request, ServerCallContext context) =>
        ToMessage(await collections.CreateAsync(request.Name, request.EmbeddingModel, context.CancellationToken));

    public override async Task<ListCollectionsResponse> ListCollections(ListCollectionsRequest request, ServerCallContext context)
    {
        var response = new ListCollectionsResponse();
        response.Collections.AddRange((await collections.ListAsync(context.CancellationToken)).Select(ToMessage));
        return response;
    }

    public override async Task<Collection> GetCollection(GetCollectionRequest request, ServerCallContext context) =>
        ToMessage(await collections.GetAsync(request.Name, context.CancellationToken));

    public override async Task<DeleteCollectionResponse> DeleteCollection(DeleteCollectionRequest request, ServerCallContext context)
    {
        await collections.DeleteAsync(request.Name, context.CancellationToken);
        return new DeleteCollectionResponse();
    }

    public override async Task IngestDocument(IngestDocumentRequest request, IServerStreamWriter<IngestProgress> responseStream, ServerCallContext context)
    {
        var command = new IngestCommand(request.Collection, request.DocumentName, request.ContentType, request.Content.Memory,
            request.ChunkSize, request.ChunkOverlap, request.Metadata);
        await documents.IngestAsync(command, update => responseStream.WriteAsync(ToMessage(update), context.CancellationToken), context.CancellationToken);
    }

    public override async Task<ListDocumentsResponse> ListDocuments(ListDocumentsRequest request, ServerCallContext context)
    {
        var response = new ListDocumentsResponse();
        response.Documents.AddRange((await documents.ListAsync(request.Collection, context.CancellationToken)).Select(ToMessage));
        return response;
    }

    public override async Task<DeleteDocumentResponse> DeleteDocument(DeleteDocumentRequest request, ServerCallContext context) =>
        new() { ChunksRemoved = await documents.DeleteAsync(request.Collection, request.DocumentName, context.CancellationToken) };

    public override async Task<QueryResponse> Query(QueryRequest request, ServerCallContext context)
    {
        var answer = await search.QueryAsync(
            new QueryCommand(request.Collection, request.Text, request.K, request.FilterJson, request.EmbeddingModel), context.CancellationToken);
        var response = new QueryResponse { EmbeddingModel = answer.EmbeddingModel };
        response.Results.AddRange(answer.Results.Select(hit =>
        {
            var result = new QueryResult
            {
                DocumentName = hit.DocumentName, DocumentId = hit.DocumentId, ChunkIndex = hit.ChunkIndex,
                StartOffset = hit.StartOffset, EndOffset = hit.EndOffset, Text = hit.Text, Score = hit.Score,
            };
            foreach (var (k, v) in hit.Metadata) result.Metadata[k] = v;
            return result;
        }));
        return response;
    }

    private static Collection ToMessage(CollectionInfo c) => new()
    {
        Name = c.Name, EmbeddingModel = c.EmbeddingModel, EmbeddingDimensions = c.EmbeddingDimensions,
        DocumentCount = c.DocumentCount, ChunkCount = c.ChunkCount,
    };

    private static IngestProgress ToMessage(IngestUpdate u) => new()
    {
        Stage = u.Stage switch
        {
            IngestStage.Chunked => IngestProgress.Types.Stage.Chunked,
            IngestStage.Writing => IngestProgress.Types.Stage.Writing,
            _ => IngestProgress.Types.Stage.Committed,
        },
        ChunksDone = u.ChunksDone, ChunksTotal = u.ChunksTotal, DocumentId = u.DocumentId, Version = u.Version,
        Unchanged = u.Unchanged, StaleChunksRemoved = u.StaleChunksRemoved,
    };

    private static Document ToMessage(DocumentInfo d)
    {
        var document = new Document
        {
            Name = d.Name, DocumentId = d.DocumentId, Version = d.Version, ContentType = d.ContentType,
            ChunkCount = d.ChunkCount, Characters = d.Characters, IngestedAtUnixMs = d.IngestedAtUnixMs,
        };
        foreach (var (k, v) in d.Metadata) document.Metadata[k] = v;
        return document;
    }
}
