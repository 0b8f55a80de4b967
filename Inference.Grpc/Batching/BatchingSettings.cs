namespace MlStack.Inference.Batching;

/// <summary>How one model's queue forms batches, after Triton's dynamic batcher.</summary>
public sealed record BatchingSettings(
    bool Enabled,
    int MaxBatchSize,
    int[] PreferredBatchSizes,
    TimeSpan MaxQueueDelay,
    int MaxQueueSize);
