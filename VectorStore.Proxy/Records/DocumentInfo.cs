namespace MlStack.VectorStore.Records;

/// <summary>A committed document as its manifest record describes it.</summary>
public sealed record DocumentInfo(
    string Name, string DocumentId, string Version, string ContentType, int ChunkCount, long Characters,
    long IngestedAtUnixMs, IReadOnlyDictionary<string, string> Metadata);
