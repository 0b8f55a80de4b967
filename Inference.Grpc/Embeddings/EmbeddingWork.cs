using MlStack.Inference.Batching;

namespace MlStack.Inference.Embeddings;

/// <summary>Tokenized texts of one Embed request (or a part of it) queued for the model; rows are texts.</summary>
public sealed class EmbeddingWork(int[][] tokenIds, CancellationToken cancellation)
    : BatchWork<float[][]>(tokenIds.Length, cancellation)
{
    /// <summary>Token ids per text, special tokens included, already truncated to the model's limit.</summary>
    public int[][] TokenIds { get; } = tokenIds;

    public override int LongestRow { get; } = tokenIds.Length == 0 ? 0 : tokenIds.Max(ids => ids.Length);

    public override int ShortestRow { get; } = tokenIds.Length == 0 ? 0 : tokenIds.Min(ids => ids.Length);

    public override int Tokens { get; } = tokenIds.Sum(ids => ids.Length);
}
