namespace MlStack.VectorStore.Records;

/// <summary>
/// One chunk record: the document and version it belongs to, its revision ("document@version", what visibility is
/// decided on), where it sits in the document's extracted text, its text and the caller's metadata.
/// </summary>
public sealed record StoredChunk(
    string DocumentId, string DocumentName, string Version, string Revision, int ChunkIndex, int Start, int End, string Text,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>A chunk a nearest-neighbour query found, with its cosine distance to the query vector.</summary>
public sealed record ChunkMatch(StoredChunk Chunk, float Distance);
