namespace MlStack.VectorStore.Ingestion;

/// <summary>One document to ingest, as either API received it.</summary>
public sealed record IngestCommand(
    string Collection, string DocumentName, string? ContentType, ReadOnlyMemory<byte> Content,
    int ChunkSize, int ChunkOverlap, IReadOnlyDictionary<string, string> Metadata);

public enum IngestStage { Chunked, Writing, Committed }

/// <summary>Progress of an ingest, reported after chunking, after each written batch and at the commit.</summary>
public sealed record IngestUpdate(
    IngestStage Stage, int ChunksDone, int ChunksTotal, string DocumentId, string Version, bool Unchanged, int StaleChunksRemoved);
