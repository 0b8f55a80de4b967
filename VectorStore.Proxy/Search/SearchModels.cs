namespace MlStack.VectorStore.Search;

/// <summary>One query, as either API received it; K 0 means the default of 5.</summary>
public sealed record QueryCommand(string Collection, string Text, int K, string? FilterJson, string? EmbeddingModel);

/// <summary>One chunk of an answer with its source and its cosine similarity to the query (1 - distance).</summary>
public sealed record QueryHit(
    string DocumentName, string DocumentId, int ChunkIndex, int StartOffset, int EndOffset, string Text, float Score,
    IReadOnlyDictionary<string, string> Metadata);

public sealed record QueryAnswer(string EmbeddingModel, IReadOnlyList<QueryHit> Results);
