using System.Security.Cryptography;
using System.Text;

namespace MlStack.VectorStore.Records;

/// <summary>
/// Names used in Chroma. A user collection "docs" is two Chroma collections: "docs" with the chunk records and
/// "docs.manifest" with one record per committed document (user names cannot contain '.', so these never clash).
/// These names are the stored format: data written by earlier proxies is read through them, so they never change.
/// </summary>
public static class RecordKeys
{
    public const string ManifestSuffix = ".manifest";

    // Collection metadata.
    public const string EmbeddingModel = "mlstack:embedding_model";
    public const string EmbeddingDimensions = "mlstack:embedding_dimensions";
    public const string Kind = "mlstack:kind";
    public const string ChunksKind = "chunks";
    public const string ManifestKind = "manifest";

    /// <summary>On the manifest collection: a fresh value written after every commit, so replicas can tell cheaply whether the manifest changed.</summary>
    public const string CommitStamp = "mlstack:commit_stamp";

    // Chunk metadata. User metadata keys are stored with the "meta." prefix so they cannot shadow these.
    public const string DocumentId = "doc_id";
    public const string DocumentName = "doc_name";
    public const string Version = "version";
    public const string Revision = "revision";
    public const string ChunkIndex = "chunk_index";
    public const string Start = "start";
    public const string End = "end";
    public const string UserPrefix = "meta.";

    /// <summary>The filter key that means the document name; callers cannot use it as a metadata key of their own.</summary>
    public const string DocumentFilterKey = "document";

    // Manifest metadata.
    public const string ContentType = "content_type";
    public const string ChunkCount = "chunks";
    public const string Characters = "characters";
    public const string IngestedAt = "ingested_at_ms";

    public static string ManifestCollection(string collection) => collection + ManifestSuffix;

    /// <summary>A document's identity: its name within the collection.</summary>
    public static string DocumentIdOf(string documentName) => Hash("document\n" + documentName, 32);

    /// <summary>A version: the extracted text plus everything that shapes the chunks and vectors.</summary>
    public static string VersionOf(string text, int chunkSize, int overlap, string model, IReadOnlyDictionary<string, string> metadata)
    {
        var key = new StringBuilder().Append(model).Append('\n').Append(chunkSize).Append('\n').Append(overlap).Append('\n');
        foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) key.Append(k).Append('=').Append(v).Append('\n');
        return Hash(key.Append(text).ToString(), 16);
    }

    /// <summary>The "document@version" pair stored on each chunk; queries only see revisions the manifest names.</summary>
    public static string RevisionOf(string documentId, string version) => documentId + "@" + version;

    /// <summary>Chunk ids derive from identity and content, so writing the same version again overwrites, never duplicates.</summary>
    public static string ChunkId(string documentId, string version, int index) => $"{documentId}-{version}-{index:D6}";

    private static string Hash(string value, int hexChars) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..hexChars];
}
