using System.Diagnostics;
using MlStack.VectorStore.Collections;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Records;
using MlStack.VectorStore.Telemetry;
using MlStack.VectorStore.Visibility;

namespace MlStack.VectorStore.Ingestion;

/// <summary>
/// Ingests, lists and deletes a collection's documents.
/// <para>
/// A document version becomes visible in one step: its manifest record is written after every chunk is (the commit).
/// Chunk ids derive from document identity, version and index, so repeating an ingest overwrites the same records.
/// The chunks of the version it replaced are deleted after the commit, once every replica has had time to see it
/// (<see cref="DocumentManifest.WaitForReplicasAsync"/>); any later ingest of the document also deletes versions an
/// interrupted run left behind.
/// </para>
/// </summary>
public sealed class DocumentIngestor(
    CollectionCatalog catalog,
    DocumentPreparer preparer,
    ChunkWriter chunks,
    DocumentManifest manifest,
    DocumentLocks locks,
    VectorStoreMetrics metrics,
    ILogger<DocumentIngestor> logger)
{
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

    /// <summary>The committed documents, by name.</summary>
    public async Task<IReadOnlyList<DocumentInfo>> ListAsync(string collectionName, CancellationToken ct) =>
        await manifest.ListAsync(await catalog.ResolveAsync(collectionName, ct), ct);

    /// <summary>Hides the document, then deletes its chunks; says how many chunks there were.</summary>
    public async Task<int> DeleteAsync(string collectionName, string documentName, CancellationToken ct)
    {
        DocumentPreparer.ValidateName(documentName);
        var collection = await catalog.ResolveAsync(collectionName, ct);
        var documentId = RecordKeys.DocumentIdOf(documentName);
        using (await locks.AcquireAsync(collection.Name, documentId, ct))
        {
            var wasCommitted = await manifest.RemoveAsync(collection, documentId, ct);
            if (wasCommitted) await manifest.WaitForReplicasAsync(ct);
            var removed = await chunks.RemoveAsync(collection, documentId, exceptVersion: null, ct);
            if (!wasCommitted && removed == 0)
                throw StoreException.NotFound($"document '{documentName}' does not exist in collection '{collection.Name}'");
            await catalog.CountAsync(collection, ct);
            return removed;
        }
    }

    private async Task<IngestUpdate> IngestCoreAsync(IngestCommand command, Func<IngestUpdate, Task> onProgress, Action<int> onWritten, CancellationToken ct)
    {
        CollectionNames.Validate(command.Collection);
        var document = preparer.Prepare(command);
        var collection = await catalog.ResolveAsync(command.Collection, ct);
        var documentId = RecordKeys.DocumentIdOf(command.DocumentName);
        var version = RecordKeys.VersionOf(document.Text, document.ChunkSize, document.ChunkOverlap, collection.Model, command.Metadata);
        var total = document.Chunks.Count;
        IngestUpdate Update(IngestStage stage, int done, bool unchanged = false, int stale = 0) =>
            new(stage, done, total, documentId, version, unchanged, stale);

        using (await locks.AcquireAsync(collection.Name, documentId, ct))
        {
            var previous = await manifest.FindAsync(collection, documentId, ct);
            if (previous?.Version == version)
            {
                var unchanged = Update(IngestStage.Committed, total, unchanged: true);
                await onProgress(unchanged);
                return unchanged;
            }

            await onProgress(Update(IngestStage.Chunked, 0));
            var revision = RecordKeys.RevisionOf(documentId, version);
            var records = document.Chunks.Select(c => new StoredChunk(
                documentId, command.DocumentName, version, revision, c.Index, c.Start, c.End, c.Text, command.Metadata)).ToList();
            await chunks.WriteAsync(collection, records, async done =>
            {
                onWritten(done);
                await onProgress(Update(IngestStage.Writing, done));
            }, ct);

            await manifest.CommitAsync(collection, new DocumentInfo(
                command.DocumentName, documentId, version, document.MediaType, total, document.Text.Length,
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), command.Metadata), ct);

            // The replaced version stays whole until no replica can still be showing it.
            if (previous is not null) await manifest.WaitForReplicasAsync(ct);
            var stale = await chunks.RemoveAsync(collection, documentId, exceptVersion: version, ct);
            await catalog.CountAsync(collection, ct);
            logger.LogInformation("Ingested {Document} into {Collection}: {Chunks} chunks, version {Version}, {Stale} stale chunks removed",
                command.DocumentName, collection.Name, total, version, stale);
            var committed = Update(IngestStage.Committed, total, stale: stale);
            await onProgress(committed);
            return committed;
        }
    }
}
