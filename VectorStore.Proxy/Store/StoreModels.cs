namespace MlStack.VectorStore.Store;

public sealed record CollectionInfo(string Name, string EmbeddingModel, int EmbeddingDimensions, long DocumentCount, long ChunkCount);

public sealed record DocumentInfo(
    string Name, string DocumentId, string Version, string ContentType, int ChunkCount, long Characters,
    long IngestedAtUnixMs, IReadOnlyDictionary<string, string> Metadata);

public sealed record IngestCommand(
    string Collection, string DocumentName, string? ContentType, ReadOnlyMemory<byte> Content,
    int ChunkSize, int ChunkOverlap, IReadOnlyDictionary<string, string> Metadata);

public enum IngestStage { Chunked, Writing, Committed }

public sealed record IngestUpdate(
    IngestStage Stage, int ChunksDone, int ChunksTotal, string DocumentId, string Version, bool Unchanged, int StaleChunksRemoved);

public sealed record QueryCommand(string Collection, string Text, int K, string? FilterJson, string? EmbeddingModel);

public sealed record QueryHit(
    string DocumentName, string DocumentId, int ChunkIndex, int StartOffset, int EndOffset, string Text, float Score,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record QueryAnswer(string EmbeddingModel, IReadOnlyList<QueryHit> Results);
