using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Records;
using MlStack.VectorStore.Telemetry;
using MlStack.VectorStore.Visibility;

namespace MlStack.VectorStore.Collections;

/// <summary>
/// The collections: resolves a name to its Chroma collections (cached briefly), creates, lists, counts and deletes
/// them. A collection is two Chroma collections, its chunks and its manifest; the chunk collection is created last
/// and deleted first, so its existence is what makes the collection exist.
/// </summary>
public sealed class CollectionCatalog(
    ChromaClient chroma,
    ChromaDatabaseInitializer database,
    DocumentManifest manifest,
    EmbeddingGateway embeddings,
    CollectionStatistics statistics,
    ILogger<CollectionCatalog> logger)
{
    // A short-lived cache saves one Chroma call per request; a collection deleted elsewhere shows up within the TTL,
    // and a by-id call on it fails as NOT_FOUND meanwhile.
    private static readonly TimeSpan ResolveCacheTtl = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, (StoredCollection Collection, long At)> _resolved = new(StringComparer.Ordinal);
    // The manifest collection belongs to one chunk collection id for its whole life, so its id is looked up once.
    private readonly ConcurrentDictionary<string, string> _manifestIds = new(StringComparer.Ordinal);

    /// <exception cref="StoreException">INVALID_ARGUMENT for a bad name, NOT_FOUND for an unknown collection.</exception>
    public async Task<StoredCollection> ResolveAsync(string name, CancellationToken ct)
    {
        CollectionNames.Validate(name);
        if (_resolved.TryGetValue(name, out var cached) && Stopwatch.GetElapsedTime(cached.At) < ResolveCacheTtl) return cached.Collection;
        await database.EnsureAsync(ct);
        var chunks = await chroma.FindCollectionAsync(name, ct);
        if (chunks is null || !ChromaRecordMapper.IsChunkCollection(chunks)) throw CollectionNames.NotFound(name);
        if (!_manifestIds.TryGetValue(chunks.Id, out var manifestId))
        {
            // get_or_create also repairs a manifest collection lost to an interrupted create or delete.
            manifestId = (await chroma.GetOrCreateCollectionAsync(RecordKeys.ManifestCollection(name), ChromaRecordMapper.ManifestCollectionMetadata(), ct)).Id;
            _manifestIds[chunks.Id] = manifestId;
        }
        var resolved = ChromaRecordMapper.ToStoredCollection(chunks, manifestId);
        _resolved[name] = (resolved, Stopwatch.GetTimestamp());
        return resolved;
    }

    /// <summary>Creates the collection, or returns it when it exists with the same model.</summary>
    /// <param name="embeddingModel">Empty: the inference service's default model.</param>
    public async Task<CollectionInfo> CreateAsync(string name, string? embeddingModel, CancellationToken ct)
    {
        CollectionNames.Validate(name);
        EmbeddingModelNames.Validate(embeddingModel);
        await database.EnsureAsync(ct);
        _resolved.TryRemove(name, out _);
        var existing = await chroma.FindCollectionAsync(name, ct);
        if (existing is not null)
        {
            var model = ChromaRecordMapper.ToStoredCollection(existing, manifestId: "").Model;
            if (!string.IsNullOrEmpty(embeddingModel) && embeddingModel != model)
                throw new StoreException(StoreErrorKind.AlreadyExists,
                    $"collection '{name}' already exists with embedding model '{model}', not '{embeddingModel}'");
            return await GetAsync(name, ct);
        }

        // One probe text tells which model the inference service really uses and its dimension.
        var probe = await embeddings.EmbedAsync(embeddingModel ?? "", ["dimension probe"], ct);
        await chroma.GetOrCreateCollectionAsync(RecordKeys.ManifestCollection(name), ChromaRecordMapper.ManifestCollectionMetadata(), ct);
        await chroma.GetOrCreateCollectionAsync(name, ChromaRecordMapper.ChunkCollectionMetadata(probe.Model, probe.Dimensions), ct);
        statistics.Set(name, 0, 0);
        logger.LogInformation("Created collection {Collection} with model {Model} ({Dimensions} dimensions)", name, probe.Model, probe.Dimensions);
        return new CollectionInfo(name, probe.Model, probe.Dimensions, 0, 0);
    }

    public async Task<IReadOnlyList<CollectionInfo>> ListAsync(CancellationToken ct)
    {
        await database.EnsureAsync(ct);
        var all = await chroma.ListCollectionsAsync(ct);
        var byName = all.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var result = new List<CollectionInfo>();
        foreach (var chunks in all.Where(ChromaRecordMapper.IsChunkCollection).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var manifestId = byName.TryGetValue(RecordKeys.ManifestCollection(chunks.Name), out var m) ? m.Id : "";
            result.Add(await CountAsync(ChromaRecordMapper.ToStoredCollection(chunks, manifestId), ct));
        }
        return result;
    }

    /// <summary>One collection with its counts.</summary>
    public async Task<CollectionInfo> GetAsync(string name, CancellationToken ct)
    {
        var collection = await ResolveAsync(name, ct);
        return await OnExistingAsync(collection, () => CountAsync(collection, ct));
    }

    /// <summary>
    /// Runs a call on a resolved collection. When Chroma no longer has it (deleted through another replica since it
    /// was resolved), the cached resolve is dropped and the caller learns NOT_FOUND, as after the cache's TTL.
    /// </summary>
    public async Task<T> OnExistingAsync<T>(StoredCollection collection, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ChromaException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            _resolved.TryRemove(collection.Name, out _);
            logger.LogInformation(ex, "Collection {Collection} was deleted while a request used it", collection.Name);
            throw CollectionNames.NotFound(collection.Name);
        }
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        CollectionNames.Validate(name);
        await database.EnsureAsync(ct);
        _resolved.TryRemove(name, out _);
        var existing = await chroma.FindCollectionAsync(name, ct);
        if (!await chroma.DeleteCollectionAsync(name, ct)) throw CollectionNames.NotFound(name);
        if (existing is not null)
        {
            _manifestIds.TryRemove(existing.Id, out _);
            manifest.Forget(ChromaRecordMapper.ToStoredCollection(existing, manifestId: ""));
        }
        await chroma.DeleteCollectionAsync(RecordKeys.ManifestCollection(name), ct);
        statistics.Remove(name);
        logger.LogInformation("Deleted collection {Collection}", name);
    }

    /// <summary>Counts documents and chunk records, and keeps the collection gauges current.</summary>
    public async Task<CollectionInfo> CountAsync(StoredCollection collection, CancellationToken ct)
    {
        var chunks = await chroma.CountAsync(collection.ChunksId, ct);
        var documents = collection.ManifestId.Length == 0 ? 0 : await manifest.CountAsync(collection, ct);
        statistics.Set(collection.Name, documents, chunks);
        return new CollectionInfo(collection.Name, collection.Model, collection.Dimensions, documents, chunks);
    }
}
