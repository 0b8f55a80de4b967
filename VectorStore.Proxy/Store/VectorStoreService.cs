using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Documents;
using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Telemetry;

namespace MlStack.VectorStore.Store;

/// <summary>
/// The store's use cases, shared by the gRPC and HTTP APIs.
/// <para>
/// Visibility: a document version becomes visible in one step, when its manifest record (one Chroma record,
/// id = document id) is upserted after every chunk is written. Queries only match chunks whose "revision"
/// (document@version) the manifest names, so chunks of an unfinished or failed ingest, and chunks of a
/// replaced version not yet deleted, are never returned. Chunk ids derive from document identity, content and
/// index, so repeating an ingest overwrites the same records; stale chunks of other versions are deleted after
/// the commit (and by any later ingest of that document if the deletion was interrupted).
/// </para>
/// </summary>
public sealed partial class VectorStoreService(
    ChromaClient chroma,
    ChromaDatabaseInitializer initializer,
    EmbeddingGateway embeddings,
    IOptions<StoreOptions> options,
    VectorStoreMetrics metrics,
    CollectionStatistics statistics,
    ILogger<VectorStoreService> logger)
{
    private const string ChunksKind = "chunks";
    private const string ManifestKind = "manifest";
    private static readonly float[] ManifestVector = [1f];
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _documentLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _manifestIds = new(StringComparer.Ordinal);
    private static readonly TimeSpan ResolveCacheTtl = TimeSpan.FromSeconds(2);
    private readonly StoreOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, (ResolvedCollection Collection, long At)> _resolved = new(StringComparer.Ordinal);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")]
    private static partial Regex CollectionNamePattern();

    private sealed record ResolvedCollection(string Name, string Id, string ManifestId, string Model, int Dimensions);

    // ---- Collections ----

    public async Task<CollectionInfo> CreateCollectionAsync(string name, string? embeddingModel, CancellationToken ct)
    {
        ValidateCollectionName(name);
        await initializer.EnsureAsync(ct);
        _resolved.TryRemove(name, out _);
        var existing = await chroma.FindCollectionAsync(name, ct);
        if (existing is not null)
        {
            var resolved = ToResolved(existing, manifestId: "");
            if (!string.IsNullOrEmpty(embeddingModel) && embeddingModel != resolved.Model)
                throw new StoreException(StoreErrorKind.AlreadyExists,
                    $"collection '{name}' already exists with embedding model '{resolved.Model}', not '{embeddingModel}'");
            return await GetCollectionAsync(name, ct);
        }

        // One probe text tells which model the inference service really uses and its dimension.
        var probe = await embeddings.EmbedAsync(embeddingModel ?? "", ["dimension probe"], ct);
        await chroma.GetOrCreateCollectionAsync(RecordKeys.ManifestCollection(name), new() { [RecordKeys.Kind] = ManifestKind }, ct);
        // The chunk collection is created last: its existence is what makes the collection exist.
        await chroma.GetOrCreateCollectionAsync(name, new()
        {
            ["hnsw:space"] = "cosine",
            [RecordKeys.Kind] = ChunksKind,
            [RecordKeys.EmbeddingModel] = probe.Model,
            [RecordKeys.EmbeddingDimensions] = probe.Dimensions,
        }, ct);
        statistics.Set(name, 0, 0);
        logger.LogInformation("Created collection {Collection} with model {Model} ({Dimensions} dimensions)", name, probe.Model, probe.Dimensions);
        return new CollectionInfo(name, probe.Model, probe.Dimensions, 0, 0);
    }

    public async Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct)
    {
        await initializer.EnsureAsync(ct);
        var all = await chroma.ListCollectionsAsync(ct);
        var byName = all.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var result = new List<CollectionInfo>();
        foreach (var c in all.Where(c => MetadataString(c.Metadata, RecordKeys.Kind) == ChunksKind).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var manifestId = byName.TryGetValue(RecordKeys.ManifestCollection(c.Name), out var m) ? m.Id : "";
            result.Add(await CountAsync(ToResolved(c, manifestId), ct));
        }
        return result;
    }

    public async Task<CollectionInfo> GetCollectionAsync(string name, CancellationToken ct) =>
        await CountAsync(await ResolveAsync(name, ct), ct);

    public async Task DeleteCollectionAsync(string name, CancellationToken ct)
    {
        ValidateCollectionName(name);
        await initializer.EnsureAsync(ct);
        _resolved.TryRemove(name, out _);
        var existing = await chroma.FindCollectionAsync(name, ct);
        if (existing is not null) _manifestIds.TryRemove(existing.Id, out _);
        if (!await chroma.DeleteCollectionAsync(name, ct)) throw CollectionNotFound(name);
        await chroma.DeleteCollectionAsync(RecordKeys.ManifestCollection(name), ct);
        statistics.Remove(name);
        logger.LogInformation("Deleted collection {Collection}", name);
    }

    // ---- Documents ----

    public async Task<IngestUpdate> IngestAsync(IngestCommand command, Func<IngestUpdate, Task> onProgress, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var written = 0;
        try
        {
            var result = await IngestCoreAsync(command, onProgress, n => written = n, ct);
            metrics.Ingested(command.Collection, result.Unchanged ? "unchanged" : "committed", result.Unchanged ? 0 : result.ChunksTotal,
                Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            metrics.Ingested(command.Collection, "failed", written, Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    private async Task<IngestUpdate> IngestCoreAsync(IngestCommand command, Func<IngestUpdate, Task> onProgress, Action<int> onWritten, CancellationToken ct)
    {
        ValidateCollectionName(command.Collection);
        ValidateDocumentName(command.DocumentName);
        var chunkSize = command.ChunkSize == 0 ? _options.DefaultChunkSize : command.ChunkSize;
        var overlap = command.ChunkSize == 0 && command.ChunkOverlap == 0 ? _options.DefaultChunkOverlap : command.ChunkOverlap;
        if (chunkSize < _options.MinChunkSize || chunkSize > _options.MaxChunkSize)
            throw StoreException.Invalid($"chunk_size must be between {_options.MinChunkSize} and {_options.MaxChunkSize} characters (got {chunkSize})");
        if (overlap < 0 || overlap > chunkSize / 2)
            throw StoreException.Invalid($"chunk_overlap must be between 0 and half the chunk size, {chunkSize / 2} (got {overlap})");
        ValidateMetadata(command.Metadata);
        if (command.Content.Length == 0) throw StoreException.Invalid($"document '{command.DocumentName}' is empty");
        if (command.Content.Length > _options.MaxDocumentBytes)
            throw StoreException.Invalid($"document '{command.DocumentName}' is {command.Content.Length} bytes; the limit is {_options.MaxDocumentBytes}");
        var mediaType = DocumentFormat.Resolve(command.ContentType, command.DocumentName)
            ?? throw StoreException.Invalid(
                $"unsupported document type '{(string.IsNullOrWhiteSpace(command.ContentType) ? Path.GetExtension(command.DocumentName) : command.ContentType)}' " +
                $"for '{command.DocumentName}'; supported: {string.Join(", ", DocumentFormat.Supported)} (.txt, .md, .pdf)");

        string text;
        try
        {
            text = TextExtractor.Extract(command.Content.Span, mediaType);
        }
        catch (InvalidDataException ex)
        {
            throw StoreException.Invalid($"document '{command.DocumentName}': {ex.Message}");
        }
        if (string.IsNullOrWhiteSpace(text)) throw StoreException.Invalid($"document '{command.DocumentName}' contains no text");

        var chunks = TextChunker.Split(text, chunkSize, overlap);
        if (chunks.Count > _options.MaxChunksPerDocument)
            throw StoreException.Invalid($"document '{command.DocumentName}' makes {chunks.Count} chunks; the limit is {_options.MaxChunksPerDocument} (use a larger chunk_size)");

        var collection = await ResolveAsync(command.Collection, ct);
        var documentId = RecordKeys.DocumentIdOf(command.DocumentName);
        var version = RecordKeys.VersionOf(text, chunkSize, overlap, collection.Model, command.Metadata);
        var revision = RecordKeys.RevisionOf(documentId, version);

        var gate = _documentLocks.GetOrAdd(collection.Name + "/" + documentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var current = await chroma.GetAsync(collection.ManifestId, Where(RecordKeys.DocumentId, documentId), includeDocuments: false, ct);
            if (current.Ids.Count > 0 && MetadataString(current.Metadatas![0], RecordKeys.Version) == version)
            {
                var unchanged = new IngestUpdate(IngestStage.Committed, chunks.Count, chunks.Count, documentId, version, Unchanged: true, 0);
                await onProgress(unchanged);
                return unchanged;
            }

            await onProgress(new IngestUpdate(IngestStage.Chunked, 0, chunks.Count, documentId, version, false, 0));
            var done = 0;
            foreach (var batch in chunks.Chunk(embeddings.BatchSize))
            {
                var vectors = await embeddings.EmbedAsync(collection.Model, batch.Select(c => c.Text).ToList(), ct);
                RequireSameModel(collection, vectors.Model, vectors.Dimensions);
                var records = batch.Select((chunk, i) => new ChromaRecord(
                    RecordKeys.ChunkId(documentId, version, chunk.Index),
                    vectors.Vectors[i],
                    chunk.Text,
                    ChunkMetadata(command, documentId, version, revision, chunk))).ToList();
                await chroma.UpsertAsync(collection.Id, records, ct);
                done += batch.Length;
                onWritten(done);
                await onProgress(new IngestUpdate(IngestStage.Writing, done, chunks.Count, documentId, version, false, 0));
            }

            // The commit: one record flips visibility from the old version (if any) to this one.
            var manifest = new Dictionary<string, JsonNode?>
            {
                [RecordKeys.DocumentId] = documentId,
                [RecordKeys.DocumentName] = command.DocumentName,
                [RecordKeys.Version] = version,
                [RecordKeys.Revision] = revision,
                [RecordKeys.ContentType] = mediaType,
                [RecordKeys.ChunkCount] = chunks.Count,
                [RecordKeys.Characters] = text.Length,
                [RecordKeys.IngestedAt] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            };
            foreach (var (k, v) in command.Metadata) manifest[RecordKeys.UserPrefix + k] = v;
            await chroma.UpsertAsync(collection.ManifestId, [new ChromaRecord(documentId, ManifestVector, command.DocumentName, manifest)], ct);

            var stale = await RemoveChunksAsync(collection, documentId, exceptVersion: version, ct);
            await CountAsync(collection, ct);
            logger.LogInformation("Ingested {Document} into {Collection}: {Chunks} chunks, version {Version}, {Stale} stale chunks removed",
                command.DocumentName, collection.Name, chunks.Count, version, stale);
            var committed = new IngestUpdate(IngestStage.Committed, chunks.Count, chunks.Count, documentId, version, false, stale);
            await onProgress(committed);
            return committed;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<IReadOnlyList<DocumentInfo>> ListDocumentsAsync(string collectionName, CancellationToken ct)
    {
        var collection = await ResolveAsync(collectionName, ct);
        var manifest = await chroma.GetAsync(collection.ManifestId, where: null, includeDocuments: false, ct);
        return manifest.Metadatas!.Where(m => m is not null).Select(m => ToDocument(m!)).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<int> DeleteDocumentAsync(string collectionName, string documentName, CancellationToken ct)
    {
        ValidateDocumentName(documentName);
        var collection = await ResolveAsync(collectionName, ct);
        var documentId = RecordKeys.DocumentIdOf(documentName);
        var gate = _documentLocks.GetOrAdd(collection.Name + "/" + documentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            var current = await chroma.GetAsync(collection.ManifestId, Where(RecordKeys.DocumentId, documentId), includeDocuments: false, ct);
            // Hide first (the manifest record), then remove the chunks.
            if (current.Ids.Count > 0) await chroma.DeleteIdsAsync(collection.ManifestId, current.Ids, ct);
            var removed = await RemoveChunksAsync(collection, documentId, exceptVersion: null, ct);
            if (current.Ids.Count == 0 && removed == 0)
                throw StoreException.NotFound($"document '{documentName}' does not exist in collection '{collection.Name}'");
            await CountAsync(collection, ct);
            return removed;
        }
        finally
        {
            gate.Release();
        }
    }

    // ---- Query ----

    public async Task<QueryAnswer> QueryAsync(QueryCommand command, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var answer = await QueryCoreAsync(command, ct);
            outcome = "ok";
            return answer;
        }
        finally
        {
            metrics.Queried(command.Collection, outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task<QueryAnswer> QueryCoreAsync(QueryCommand command, CancellationToken ct)
    {
        ValidateCollectionName(command.Collection);
        if (string.IsNullOrWhiteSpace(command.Text)) throw StoreException.Invalid("query text is empty");
        if (command.Text.Length > _options.MaxQueryChars)
            throw StoreException.Invalid($"query text is {command.Text.Length} characters; the limit is {_options.MaxQueryChars}");
        var k = command.K == 0 ? 5 : command.K;
        if (k < 1 || k > _options.MaxQueryResults) throw StoreException.Invalid($"k must be between 1 and {_options.MaxQueryResults} (got {command.K})");
        var filter = MetadataFilter.Translate(command.FilterJson);

        var collection = await ResolveAsync(command.Collection, ct);
        if (!string.IsNullOrEmpty(command.EmbeddingModel) && command.EmbeddingModel != collection.Model)
            throw new StoreException(StoreErrorKind.FailedPrecondition,
                $"collection '{collection.Name}' was built with embedding model '{collection.Model}' ({collection.Dimensions} dimensions), not '{command.EmbeddingModel}'");

        // Embedding first: a collection whose model no longer matches is refused even while it is empty.
        var vectors = await embeddings.EmbedAsync(collection.Model, [command.Text], ct);
        RequireSameModel(collection, vectors.Model, vectors.Dimensions);

        var manifest = await chroma.GetAsync(collection.ManifestId, where: null, includeDocuments: false, ct);
        var revisions = manifest.Metadatas!.Select(m => MetadataString(m, RecordKeys.Revision)).OfType<string>().ToArray();
        if (revisions.Length == 0) return new QueryAnswer(collection.Model, []);

        var committed = new JsonObject { [RecordKeys.Revision] = new JsonObject { ["$in"] = new JsonArray(revisions.Select(r => (JsonNode?)r).ToArray()) } };
        var where = filter is null ? committed : new JsonObject { ["$and"] = new JsonArray(filter, committed) };
        ChromaQueryResult result;
        try
        {
            result = await chroma.QueryAsync(collection.Id, vectors.Vectors[0], k, where, ct);
        }
        catch (ChromaException ex) when (ex.StatusCode == HttpStatusCode.BadRequest)
        {
            throw StoreException.Invalid($"filter refused by the store: {ex.ChromaMessage}");
        }

        var hits = new List<QueryHit>();
        if (result.Ids.Count > 0)
        {
            for (var i = 0; i < result.Ids[0].Count; i++)
            {
                var meta = result.Metadatas?[0][i] ?? [];
                var distance = result.Distances?[0][i] ?? 1f;
                hits.Add(new QueryHit(
                    MetadataString(meta, RecordKeys.DocumentName) ?? "",
                    MetadataString(meta, RecordKeys.DocumentId) ?? "",
                    MetadataInt(meta, RecordKeys.ChunkIndex),
                    MetadataInt(meta, RecordKeys.Start),
                    MetadataInt(meta, RecordKeys.End),
                    result.Documents?[0][i] ?? "",
                    1f - distance,
                    UserMetadata(meta)));
            }
        }
        return new QueryAnswer(collection.Model, hits);
    }

    // ---- Helpers ----

    private async Task<ResolvedCollection> ResolveAsync(string name, CancellationToken ct)
    {
        ValidateCollectionName(name);
        // A short-lived cache saves one Chroma call per request; a collection deleted elsewhere shows up within
        // the TTL, and a by-id call on it fails as NOT_FOUND meanwhile. Visibility of documents is never cached.
        if (_resolved.TryGetValue(name, out var cached) && Stopwatch.GetElapsedTime(cached.At) < ResolveCacheTtl) return cached.Collection;
        await initializer.EnsureAsync(ct);
        var chunks = await chroma.FindCollectionAsync(name, ct);
        if (chunks is null || MetadataString(chunks.Metadata, RecordKeys.Kind) != ChunksKind) throw CollectionNotFound(name);
        // The manifest collection belongs to this chunk collection id for its whole life, so its id is looked up
        // once; get_or_create also repairs a manifest collection lost to an interrupted create or delete.
        if (!_manifestIds.TryGetValue(chunks.Id, out var manifestId))
        {
            manifestId = (await chroma.GetOrCreateCollectionAsync(RecordKeys.ManifestCollection(name), new() { [RecordKeys.Kind] = ManifestKind }, ct)).Id;
            _manifestIds[chunks.Id] = manifestId;
        }
        var resolved = ToResolved(chunks, manifestId);
        _resolved[name] = (resolved, Stopwatch.GetTimestamp());
        return resolved;
    }

    private async Task<CollectionInfo> CountAsync(ResolvedCollection collection, CancellationToken ct)
    {
        var chunks = await chroma.CountAsync(collection.Id, ct);
        var documents = collection.ManifestId.Length == 0 ? 0 : await chroma.CountAsync(collection.ManifestId, ct);
        statistics.Set(collection.Name, documents, chunks);
        return new CollectionInfo(collection.Name, collection.Model, collection.Dimensions, documents, chunks);
    }

    /// <summary>Deletes the document's chunks (all, or all but one version) and says how many there were.</summary>
    private async Task<int> RemoveChunksAsync(ResolvedCollection collection, string documentId, string? exceptVersion, CancellationToken ct)
    {
        var where = exceptVersion is null
            ? Where(RecordKeys.DocumentId, documentId)
            : new JsonObject
            {
                ["$and"] = new JsonArray(
                    Where(RecordKeys.DocumentId, documentId),
                    new JsonObject { [RecordKeys.Version] = new JsonObject { ["$ne"] = exceptVersion } }),
            };
        var stale = await chroma.GetAsync(collection.Id, where, includeDocuments: false, ct);
        if (stale.Ids.Count > 0) await chroma.DeleteIdsAsync(collection.Id, stale.Ids, ct);
        return stale.Ids.Count;
    }

    private static void RequireSameModel(ResolvedCollection collection, string model, int dimensions)
    {
        if (model != collection.Model || dimensions != collection.Dimensions)
            throw new StoreException(StoreErrorKind.FailedPrecondition,
                $"collection '{collection.Name}' was built with embedding model '{collection.Model}' ({collection.Dimensions} dimensions) " +
                $"but the inference service now answers with '{model}' ({dimensions} dimensions); re-create the collection to use it");
    }

    private static Dictionary<string, JsonNode?> ChunkMetadata(IngestCommand command, string documentId, string version, string revision, TextChunk chunk)
    {
        var meta = new Dictionary<string, JsonNode?>
        {
            [RecordKeys.DocumentId] = documentId,
            [RecordKeys.DocumentName] = command.DocumentName,
            [RecordKeys.Version] = version,
            [RecordKeys.Revision] = revision,
            [RecordKeys.ChunkIndex] = chunk.Index,
            [RecordKeys.Start] = chunk.Start,
            [RecordKeys.End] = chunk.End,
        };
        foreach (var (k, v) in command.Metadata) meta[RecordKeys.UserPrefix + k] = v;
        return meta;
    }

    private static DocumentInfo ToDocument(Dictionary<string, JsonNode?> m) => new(
        MetadataString(m, RecordKeys.DocumentName) ?? "",
        MetadataString(m, RecordKeys.DocumentId) ?? "",
        MetadataString(m, RecordKeys.Version) ?? "",
        MetadataString(m, RecordKeys.ContentType) ?? "",
        MetadataInt(m, RecordKeys.ChunkCount),
        MetadataLong(m, RecordKeys.Characters),
        MetadataLong(m, RecordKeys.IngestedAt),
        UserMetadata(m));

    private static ResolvedCollection ToResolved(ChromaCollection c, string manifestId) => new(
        c.Name, c.Id, manifestId,
        MetadataString(c.Metadata, RecordKeys.EmbeddingModel) ?? "",
        MetadataInt(c.Metadata, RecordKeys.EmbeddingDimensions));

    private static JsonObject Where(string key, string value) => new() { [key] = value };

    private static Dictionary<string, string> UserMetadata(Dictionary<string, JsonNode?> m) =>
        m.Where(p => p.Key.StartsWith(RecordKeys.UserPrefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[RecordKeys.UserPrefix.Length..], p => p.Value?.ToString() ?? "");

    private static string? MetadataString(Dictionary<string, JsonNode?>? m, string key) =>
        m is not null && m.TryGetValue(key, out var v) && v is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    private static int MetadataInt(Dictionary<string, JsonNode?>? m, string key) => (int)MetadataLong(m, key);

    private static long MetadataLong(Dictionary<string, JsonNode?>? m, string key) =>
        m is not null && m.TryGetValue(key, out var v) && v is JsonValue value
            ? value.TryGetValue<long>(out var l) ? l
            : value.TryGetValue<double>(out var d) ? (long)d
            : value.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0
            : 0;

    private static StoreException CollectionNotFound(string name) => StoreException.NotFound($"collection '{name}' does not exist");

    private static void ValidateCollectionName(string name)
    {
        if (string.IsNullOrEmpty(name)) throw StoreException.Invalid("collection name is empty");
        if (!CollectionNamePattern().IsMatch(name))
            throw StoreException.Invalid($"collection name '{name}' is invalid: use 3-63 characters a-z, 0-9, '-' and '_', starting and ending with a letter or digit");
    }

    private static void ValidateDocumentName(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw StoreException.Invalid("document name is empty");
        if (name.Length > 512) throw StoreException.Invalid("document name is longer than 512 characters");
        if (name.Any(char.IsControl)) throw StoreException.Invalid("document name contains control characters");
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count > 32) throw StoreException.Invalid("at most 32 metadata entries per document");
        foreach (var (k, v) in metadata)
        {
            if (string.IsNullOrWhiteSpace(k) || k.Length > 64 || k.StartsWith('$') || k == MetadataFilter.DocumentKey)
                throw StoreException.Invalid($"metadata key '{k}' is invalid: 1-64 characters, not starting with '$', not '{MetadataFilter.DocumentKey}'");
            if (v.Length > 1024) throw StoreException.Invalid($"metadata value of '{k}' is longer than 1024 characters");
        }
    }
}
