using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Collections;
using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Records;
using MlStack.VectorStore.Telemetry;
using MlStack.VectorStore.Visibility;

namespace MlStack.VectorStore.Search;

/// <summary>
/// Answers a query with the k committed chunks nearest in meaning: embeds the text, takes the collection's committed
/// revisions from memory (<see cref="DocumentManifest.CommittedRevisionsAsync"/>) and asks Chroma for the nearest
/// chunks without a revision filter (<see cref="NearestCommittedChunks"/>). Only a caller's own metadata filter goes
/// to Chroma as a where clause.
/// </summary>
public sealed class SemanticSearch(
    CollectionCatalog catalog,
    DocumentManifest manifest,
    EmbeddingGateway embeddings,
    ChromaClient chroma,
    IOptions<SearchOptions> options,
    VectorStoreMetrics metrics,
    ILogger<SemanticSearch> logger)
{
    private const int DefaultK = 5;

    public async Task<QueryAnswer> QueryAsync(QueryCommand command, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        // The label is the collection's name once it resolved, never the caller's raw string.
        var label = VectorStoreMetrics.UnknownCollection;
        try
        {
            var answer = await SearchAsync(command, name => label = name, ct);
            outcome = "ok";
            return answer;
        }
        finally
        {
            metrics.Queried(label, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<QueryAnswer> SearchAsync(QueryCommand command, Action<string> resolved, CancellationToken ct)
    {
        var limits = options.Value;
        CollectionNames.Validate(command.Collection);
        if (string.IsNullOrWhiteSpace(command.Text)) throw StoreException.Invalid("query text is empty");
        if (command.Text.Length > limits.MaxQueryChars)
            throw StoreException.Invalid($"query text is {command.Text.Length} characters; the limit is {limits.MaxQueryChars}");
        var k = command.K == 0 ? DefaultK : command.K;
        if (k < 1 || k > limits.MaxQueryResults) throw StoreException.Invalid($"k must be between 1 and {limits.MaxQueryResults} (got {command.K})");
        EmbeddingModelNames.Validate(command.EmbeddingModel);
        var filter = MetadataFilter.Translate(command.FilterJson, limits);

        var collection = await catalog.ResolveAsync(command.Collection, ct);
        resolved(collection.Name);
        if (!string.IsNullOrEmpty(command.EmbeddingModel) && command.EmbeddingModel != collection.Model)
            throw StoreException.FailedPrecondition(
                $"collection '{collection.Name}' was built with embedding model '{collection.Model}' ({collection.Dimensions} dimensions), not '{command.EmbeddingModel}'");

        // Embedding first: a collection whose model no longer matches is refused even while it is empty.
        var vectors = await embeddings.EmbedAsync(collection.Model, [command.Text], ct);
        collection.RequireModel(vectors.Model, vectors.Dimensions);
        return await catalog.OnExistingAsync(collection, async () =>
        {
            var committed = await manifest.CommittedRevisionsAsync(collection, ct);
            if (committed.Count == 0) return new QueryAnswer(collection.Model, []);

            var matches = await NearestCommittedChunks.FindAsync(k, committed,
                (n, token) => NearestAsync(collection, vectors.Vectors[0], n, filter, token), ct);
            return new QueryAnswer(collection.Model, matches.Select(ToHit).ToList());
        });
    }

    private async Task<IReadOnlyList<ChunkMatch>> NearestAsync(StoredCollection collection, float[] vector, int n, JsonObject? filter, CancellationToken ct)
    {
        try
        {
            return ChromaRecordMapper.ToChunkMatches(await chroma.QueryAsync(collection.ChunksId, vector, n, filter, ct));
        }
        catch (ChromaException ex) when (ex.StatusCode == HttpStatusCode.BadRequest)
        {
            // Chroma's wording names its internals; it goes to the log (with the trace id), the caller learns what to change.
            logger.LogWarning(ex, "Chroma refused a query on {Collection}", collection.Name);
            throw StoreException.Invalid("the filter was refused by the vector database: check its keys and operators");
        }
    }

    private static QueryHit ToHit(ChunkMatch match) => new(
        match.Chunk.DocumentName, match.Chunk.DocumentId, match.Chunk.ChunkIndex, match.Chunk.Start, match.Chunk.End,
        match.Chunk.Text, 1f - match.Distance, match.Chunk.Metadata);
}
