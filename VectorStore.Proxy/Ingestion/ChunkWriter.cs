using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.Ingestion;

/// <summary>
/// A document's chunk records in Chroma: writes one version's chunks batch by batch (each batch embedded through the
/// inference service, then upserted), and removes the chunks of the other versions.
/// </summary>
public sealed class ChunkWriter(ChromaClient chroma, EmbeddingGateway embeddings)
{
    /// <param name="onWritten">Called after each batch with the number of chunks written so far.</param>
    public async Task WriteAsync(StoredCollection collection, IReadOnlyList<StoredChunk> chunks, Func<int, Task> onWritten, CancellationToken ct)
    {
        var done = 0;
        foreach (var batch in chunks.Chunk(embeddings.BatchSize))
        {
            var vectors = await embeddings.EmbedAsync(collection.Model, batch.Select(c => c.Text).ToList(), ct);
            collection.RequireModel(vectors.Model, vectors.Dimensions);
            await chroma.UpsertAsync(collection.ChunksId, batch.Select((chunk, i) => ChromaRecordMapper.ToChunkRecord(chunk, vectors.Vectors[i])).ToList(), ct);
            done += batch.Length;
            await onWritten(done);
        }
    }

    /// <summary>Deletes the document's chunks (all, or all but one version's) and says how many there were.</summary>
    public async Task<int> RemoveAsync(StoredCollection collection, string documentId, string? exceptVersion, CancellationToken ct)
    {
        var stale = await chroma.GetAsync(collection.ChunksId, ChromaRecordMapper.ChunksOf(documentId, exceptVersion), includeDocuments: false, ct);
        if (stale.Ids.Count > 0) await chroma.DeleteIdsAsync(collection.ChunksId, stale.Ids, ct);
        return stale.Ids.Count;
    }
}
