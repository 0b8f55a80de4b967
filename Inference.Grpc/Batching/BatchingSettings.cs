namespace MlStack.Inference.Batching;

/// <summary>How one model's queue forms batches, after Triton's dynamic batcher.</summary>
/// <param name="MaxBatchTokens">
/// 0: batches are closed by rows alone, in arrival order. Above 0 (text queues with the token policy): also by this
/// many tokens, padding included, with queued work grouped by length (see <see cref="TokenBudget"/>).
/// </param>
public sealed record BatchingSettings(
    bool Enabled,
    int MaxBatchSize,
    int[] PreferredBatchSizes,
    TimeSpan MaxQueueDelay,
    int MaxQueueSize,
    int MaxBatchTokens = 0)
{
    /// <summary>Whether batches are closed by a token budget (and grouped by length).</summary>
    public bool ByTokens => Enabled && MaxBatchTokens > 0;
}
