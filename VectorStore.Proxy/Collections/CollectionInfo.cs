namespace MlStack.VectorStore.Collections;

/// <summary>A collection as the APIs show it: its embedding model and dimension, and how many documents and chunk records it holds.</summary>
public sealed record CollectionInfo(string Name, string EmbeddingModel, int EmbeddingDimensions, long DocumentCount, long ChunkCount);
