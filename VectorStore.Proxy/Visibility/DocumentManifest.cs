using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.Visibility;

/// <summary>
/// A collection's manifest: one record per committed document, naming the one version of it that queries may see.
/// Committing or removing a document is one manifest write followed by a fresh commit stamp on the manifest
/// collection; queries read the committed revisions through the <see cref="RevisionCache"/>.
/// </summary>
public sealed class DocumentManifest(ChromaClient chroma, RevisionCache cache, IOptions<VisibilityOptions> options)
{
    /// <summary>The revisions queries may return, from memory when the view is fresh enough.</summary>
    public ValueTask<CommittedRevisions> CommittedRevisionsAsync(StoredCollection collection, CancellationToken ct) =>
        cache.GetAsync(collection.ChunksId, new ChromaRevisionSource(chroma, collection), ct);

    public async Task<DocumentInfo?> FindAsync(StoredCollection collection, string documentId, CancellationToken ct)
    {
        var found = await chroma.GetByIdsAsync(collection.ManifestId, [documentId], ct);
        return found.Metadatas?.FirstOrDefault() is { } metadata ? ChromaRecordMapper.ToDocument(metadata) : null;
    }

    public async Task<IReadOnlyList<DocumentInfo>> ListAsync(StoredCollection collection, CancellationToken ct)
    {
        var all = await chroma.GetAsync(collection.ManifestId, where: null, includeDocuments: false, ct);
        return all.Metadatas!.OfType<Dictionary<string, JsonNode?>>().Select(ChromaRecordMapper.ToDocument)
            .OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    public Task<int> CountAsync(StoredCollection collection, CancellationToken ct) => chroma.CountAsync(collection.ManifestId, ct);

    /// <summary>The commit: from now on queries see this version of the document. Every chunk of it must be written before.</summary>
    public Task CommitAsync(StoredCollection collection, DocumentInfo document, CancellationToken ct) =>
        ChangeAsync(collection, () => chroma.UpsertAsync(collection.ManifestId, [ChromaRecordMapper.ToManifestRecord(document)], ct));

    /// <summary>Hides the document from queries; false when the manifest did not name it.</summary>
    public async Task<bool> RemoveAsync(StoredCollection collection, string documentId, CancellationToken ct)
    {
        if (await FindAsync(collection, documentId, ct) is null) return false;
        await ChangeAsync(collection, () => chroma.DeleteIdsAsync(collection.ManifestId, [documentId], ct));
        return true;
    }

    /// <summary>
    /// Waits, after a commit or removal, until every replica has revalidated its view (one check interval) and the
    /// queries it began on the old view have had as long again to finish. A replaced or removed version's chunks are
    /// deleted only after this, so no query sees part of a version.
    /// </summary>
    public Task WaitForReplicasAsync(CancellationToken ct) => Task.Delay(2 * options.Value.RevisionCheckInterval, ct);

    /// <summary>The collection was deleted.</summary>
    public void Forget(StoredCollection collection) => cache.Forget(collection.ChunksId);

    private async Task ChangeAsync(StoredCollection collection, Func<Task> write)
    {
        try
        {
            await write();
            // Stamp after the manifest write, never before: a replica that reads the new stamp then reads a manifest with
            // the change. Once the manifest changed the stamp must follow, so the caller's cancellation does not stop it.
            await chroma.UpdateCollectionMetadataAsync(collection.ManifestId,
                ChromaRecordMapper.ManifestCollectionMetadata(Guid.NewGuid().ToString("N")), CancellationToken.None);
        }
        finally
        {
            cache.Invalidate(collection.ChunksId);
        }
    }

    /// <summary>The stamp and the revisions, read from the collection's manifest in Chroma.</summary>
    private sealed class ChromaRevisionSource(ChromaClient chroma, StoredCollection collection) : IRevisionSource
    {
        public async Task<string?> ReadCommitStampAsync(CancellationToken ct)
        {
            var manifest = await chroma.FindCollectionAsync(RecordKeys.ManifestCollection(collection.Name), ct);
            // Gone, or deleted and made again under the same name since this collection was resolved.
            if (manifest is null || manifest.Id != collection.ManifestId)
                throw StoreException.NotFound($"collection '{collection.Name}' does not exist");
            return ChromaRecordMapper.CommitStampOf(manifest);
        }

        public async Task<CommittedRevisions> ReadRevisionsAsync(CancellationToken ct)
        {
            var all = await chroma.GetAsync(collection.ManifestId, where: null, includeDocuments: false, ct);
            return new CommittedRevisions(all.Metadatas!.Select(ChromaRecordMapper.RevisionOf).OfType<string>());
        }
    }
}
