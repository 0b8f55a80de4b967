// The proxy assembly also carries the embeddings client it compiles; an alias keeps it apart from Inference.Grpc's types.
extern alias vectors;

using System.Net.Http.Json;
using System.Text;
using vectors::MlStack.VectorStore.Chroma;
using vectors::MlStack.VectorStore.Records;

namespace MlStack.Benchmarks;

/// <summary>
/// Fills a collection the proxy created straight through Chroma's HTTP API, in the proxy's own record format (its
/// <see cref="ChromaRecordMapper"/>): random unit vectors instead of embeddings, so a large collection does not wait on
/// the embedding model. Like an ingest, it writes every document's chunks first, then the documents' manifest records,
/// then a fresh commit stamp.
/// </summary>
internal sealed class VectorStoreSeeder(HttpClient chroma, string databasePath)
{
    private const int ChunksPerDocument = 100;
    private const int BatchSize = 1000;
    private const int ChunkCharacters = 800;

    /// <summary>Chunk records in the collection (committed or not).</summary>
    public async Task<int> CountAsync(string collection)
    {
        var (chunksId, _, _) = await IdsAsync(collection);
        return await chroma.GetFromJsonAsync<int>($"{databasePath}/collections/{chunksId}/count");
    }

    /// <param name="present">Chunks an interrupted earlier run already wrote: the same records are generated again, and skipped.</param>
    public async Task SeedAsync(string collection, int chunks, int present, int dimensions, Action<int> onProgress)
    {
        var (chunksId, manifestId, model) = await IdsAsync(collection);
        var random = new Random(chunks);
        var documents = new List<DocumentInfo>();
        var batch = new List<ChromaRecord>(BatchSize);
        var written = 0;
        for (var d = 0; written + batch.Count < chunks; d++)
        {
            var name = $"report-{d:D5}.md";
            var documentId = RecordKeys.DocumentIdOf(name);
            var count = Math.Min(ChunksPerDocument, chunks - written - batch.Count);
            var texts = Enumerable.Range(0, count).Select(i => ChunkText(random, d, i)).ToList();
            var version = RecordKeys.VersionOf(string.Concat(texts), 1000, 150, model, new Dictionary<string, string>());
            var revision = RecordKeys.RevisionOf(documentId, version);
            for (var i = 0; i < count; i++)
            {
                var chunk = new StoredChunk(documentId, name, version, revision, i, i * ChunkCharacters, (i + 1) * ChunkCharacters, texts[i],
                    new Dictionary<string, string> { ["part"] = (d % 10).ToString(System.Globalization.CultureInfo.InvariantCulture) });
                batch.Add(ChromaRecordMapper.ToChunkRecord(chunk, UnitVector(random, dimensions)));
                if (batch.Count == BatchSize)
                {
                    if (written + batch.Count > present) await UpsertAsync(chunksId, batch);
                    written += batch.Count;
                    batch.Clear();
                    onProgress(written);
                }
            }
            documents.Add(new DocumentInfo(name, documentId, version, "text/markdown", count, count * ChunkCharacters,
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), new Dictionary<string, string> { ["part"] = (d % 10).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        }
        if (batch.Count > 0) await UpsertAsync(chunksId, batch);

        // The commit, as the proxy makes it: the manifest records once every chunk is written, then a fresh stamp.
        foreach (var manifestBatch in documents.Chunk(BatchSize))
            await UpsertAsync(manifestId, manifestBatch.Select(ChromaRecordMapper.ToManifestRecord).ToList());
        using var stamp = await chroma.PutAsJsonAsync($"{databasePath}/collections/{manifestId}",
            new ChromaUpdateCollection(ChromaRecordMapper.ManifestCollectionMetadata(Guid.NewGuid().ToString("N"))));
        stamp.EnsureSuccessStatusCode();
    }

    private async Task<(string ChunksId, string ManifestId, string Model)> IdsAsync(string collection)
    {
        var chunks = await chroma.GetFromJsonAsync<ChromaCollection>($"{databasePath}/collections/{collection}");
        var manifest = await chroma.GetFromJsonAsync<ChromaCollection>($"{databasePath}/collections/{RecordKeys.ManifestCollection(collection)}");
        return (chunks!.Id, manifest!.Id, ChromaRecordMapper.ToStoredCollection(chunks, manifest!.Id).Model);
    }

    private async Task UpsertAsync(string collectionId, IReadOnlyList<ChromaRecord> records)
    {
        var body = new ChromaUpsert(records.Select(r => r.Id).ToList(), records.Select(r => r.Embedding).ToList(),
            records.Select(r => r.Document).ToList(), records.Select(r => r.Metadata).ToList());
        using var response = await chroma.PostAsJsonAsync($"{databasePath}/collections/{collectionId}/upsert", body);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Chroma upsert answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>A random direction: normal components, scaled to length 1.</summary>
    private static float[] UnitVector(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        var norm = 0.0;
        for (var i = 0; i < dimensions; i++)
        {
            var value = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            vector[i] = (float)value;
            norm += value * value;
        }
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < dimensions; i++) vector[i] *= scale;
        return vector;
    }

    private static string ChunkText(Random random, int document, int index)
    {
        var text = new StringBuilder().Append("Report ").Append(document).Append(", part ").Append(index).Append(". ");
        while (text.Length < ChunkCharacters) GeneratedText.AppendSentence(text, random);
        return text.ToString(0, ChunkCharacters);
    }
}
