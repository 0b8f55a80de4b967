using System.Globalization;
using System.Text.Json.Nodes;
using MlStack.VectorStore.Chroma;

namespace MlStack.VectorStore.Records;

/// <summary>
/// Turns the store's records into Chroma's flat metadata and back: collection metadata, chunk records and manifest
/// records. The layout is the one earlier proxies wrote, so their data reads the same; reading is lenient about
/// numbers (Chroma may hand back an integer as a float or a string) and missing keys.
/// </summary>
public static class ChromaRecordMapper
{
    // The manifest collection holds no meaningful vectors; every record gets the same one-dimensional vector.
    private static readonly float[] ManifestVector = [1f];

    // ---- Collections ----

    public static Dictionary<string, JsonNode?> ChunkCollectionMetadata(string model, int dimensions) => new()
    {
        ["hnsw:space"] = "cosine",
        [RecordKeys.Kind] = RecordKeys.ChunksKind,
        [RecordKeys.EmbeddingModel] = model,
        [RecordKeys.EmbeddingDimensions] = dimensions,
    };

    /// <summary>The manifest collection's metadata; Chroma replaces it whole on update, so the kind is always written too.</summary>
    public static Dictionary<string, JsonNode?> ManifestCollectionMetadata(string? commitStamp = null)
    {
        var metadata = new Dictionary<string, JsonNode?> { [RecordKeys.Kind] = RecordKeys.ManifestKind };
        if (commitStamp is not null) metadata[RecordKeys.CommitStamp] = commitStamp;
        return metadata;
    }

    public static bool IsChunkCollection(ChromaCollection collection) => String(collection.Metadata, RecordKeys.Kind) == RecordKeys.ChunksKind;

    public static StoredCollection ToStoredCollection(ChromaCollection chunks, string manifestId) => new(
        chunks.Name, chunks.Id, manifestId,
        String(chunks.Metadata, RecordKeys.EmbeddingModel) ?? "",
        Int(chunks.Metadata, RecordKeys.EmbeddingDimensions));

    /// <summary>The manifest's commit stamp; null for a manifest no commit has stamped yet (one written by an earlier proxy).</summary>
    public static string? CommitStampOf(ChromaCollection manifest) => String(manifest.Metadata, RecordKeys.CommitStamp);

    // ---- Chunks ----

    public static ChromaRecord ToChunkRecord(StoredChunk chunk, float[] vector)
    {
        var metadata = new Dictionary<string, JsonNode?>
        {
            [RecordKeys.DocumentId] = chunk.DocumentId,
            [RecordKeys.DocumentName] = chunk.DocumentName,
            [RecordKeys.Version] = chunk.Version,
            [RecordKeys.Revision] = chunk.Revision,
            [RecordKeys.ChunkIndex] = chunk.ChunkIndex,
            [RecordKeys.Start] = chunk.Start,
            [RecordKeys.End] = chunk.End,
        };
        AddUserMetadata(metadata, chunk.Metadata);
        return new ChromaRecord(RecordKeys.ChunkId(chunk.DocumentId, chunk.Version, chunk.ChunkIndex), vector, chunk.Text, metadata);
    }

    /// <summary>The where clause that selects a document's chunks, all of them or all but one version's.</summary>
    public static JsonObject ChunksOf(string documentId, string? exceptVersion = null)
    {
        var ofDocument = new JsonObject { [RecordKeys.DocumentId] = documentId };
        return exceptVersion is null
            ? ofDocument
            : new JsonObject { ["$and"] = new JsonArray(ofDocument, new JsonObject { [RecordKeys.Version] = new JsonObject { ["$ne"] = exceptVersion } }) };
    }

    /// <summary>The matches of the first (only) query vector, nearest first.</summary>
    public static IReadOnlyList<ChunkMatch> ToChunkMatches(ChromaQueryResult result)
    {
        if (result.Ids.Count == 0) return [];
        var matches = new ChunkMatch[result.Ids[0].Count];
        for (var i = 0; i < matches.Length; i++)
        {
            var metadata = result.Metadatas?[0][i];
            matches[i] = new ChunkMatch(ToChunk(metadata, result.Documents?[0][i]), result.Distances?[0][i] ?? 1f);
        }
        return matches;
    }

    private static StoredChunk ToChunk(Dictionary<string, JsonNode?>? m, string? text)
    {
        var documentId = String(m, RecordKeys.DocumentId) ?? "";
        var version = String(m, RecordKeys.Version) ?? "";
        return new StoredChunk(
            documentId,
            String(m, RecordKeys.DocumentName) ?? "",
            version,
            String(m, RecordKeys.Revision) ?? RecordKeys.RevisionOf(documentId, version),
            Int(m, RecordKeys.ChunkIndex),
            Int(m, RecordKeys.Start),
            Int(m, RecordKeys.End),
            text ?? "",
            UserMetadata(m));
    }

    // ---- Manifest ----

    /// <summary>The manifest record of a committed document: id = document id, so there is one per document.</summary>
    public static ChromaRecord ToManifestRecord(DocumentInfo document)
    {
        var metadata = new Dictionary<string, JsonNode?>
        {
            [RecordKeys.DocumentId] = document.DocumentId,
            [RecordKeys.DocumentName] = document.Name,
            [RecordKeys.Version] = document.Version,
            [RecordKeys.Revision] = RecordKeys.RevisionOf(document.DocumentId, document.Version),
            [RecordKeys.ContentType] = document.ContentType,
            [RecordKeys.ChunkCount] = document.ChunkCount,
            [RecordKeys.Characters] = document.Characters,
            [RecordKeys.IngestedAt] = document.IngestedAtUnixMs,
        };
        AddUserMetadata(metadata, document.Metadata);
        return new ChromaRecord(document.DocumentId, ManifestVector, document.Name, metadata);
    }

    public static DocumentInfo ToDocument(Dictionary<string, JsonNode?> m) => new(
        String(m, RecordKeys.DocumentName) ?? "",
        String(m, RecordKeys.DocumentId) ?? "",
        String(m, RecordKeys.Version) ?? "",
        String(m, RecordKeys.ContentType) ?? "",
        Int(m, RecordKeys.ChunkCount),
        Long(m, RecordKeys.Characters),
        Long(m, RecordKeys.IngestedAt),
        UserMetadata(m));

    /// <summary>The revision a manifest record commits, or null for a record that names none.</summary>
    public static string? RevisionOf(Dictionary<string, JsonNode?>? manifest) =>
        String(manifest, RecordKeys.Revision)
        ?? (String(manifest, RecordKeys.DocumentId) is { } id && String(manifest, RecordKeys.Version) is { } version ? RecordKeys.RevisionOf(id, version) : null);

    // ---- Metadata values ----

    private static void AddUserMetadata(Dictionary<string, JsonNode?> metadata, IReadOnlyDictionary<string, string> user)
    {
        foreach (var (k, v) in user) metadata[RecordKeys.UserPrefix + k] = v;
    }

    private static Dictionary<string, string> UserMetadata(Dictionary<string, JsonNode?>? m) =>
        m is null
            ? []
            : m.Where(p => p.Key.StartsWith(RecordKeys.UserPrefix, StringComparison.Ordinal))
                .ToDictionary(p => p.Key[RecordKeys.UserPrefix.Length..], p => p.Value?.ToString() ?? "");

    private static string? String(Dictionary<string, JsonNode?>? m, string key) =>
        m is not null && m.TryGetValue(key, out var v) && v is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    private static int Int(Dictionary<string, JsonNode?>? m, string key) => (int)Long(m, key);

    private static long Long(Dictionary<string, JsonNode?>? m, string key) =>
        m is not null && m.TryGetValue(key, out var v) && v is JsonValue value
            ? value.TryGetValue<long>(out var l) ? l
            : value.TryGetValue<int>(out var i) ? i
            : value.TryGetValue<double>(out var d) ? (long)d
            : value.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : 0
            : 0;
}
