using MlStack.Inference.Repository;

namespace MlStack.Inference.Batching;

/// <summary>How one model's queue forms batches, after Triton's dynamic batcher.</summary>
public sealed record BatchingSettings(
    bool Enabled,
    int MaxBatchSize,
    int[] PreferredBatchSizes,
    TimeSpan MaxQueueDelay,
    int MaxQueueSize)
{
    public static BatchingSettings From(ModelConfig config, bool batchingAllowed)
    {
        var dynamic = batchingAllowed ? config.DynamicBatching : null;
        return new BatchingSettings(
            Enabled: dynamic is not null && config.MaxBatchSize > 0,
            MaxBatchSize: Math.Max(1, config.MaxBatchSize),
            PreferredBatchSizes: (dynamic?.PreferredBatchSize ?? []).Order().ToArray(),
            MaxQueueDelay: TimeSpan.FromMicroseconds(dynamic?.MaxQueueDelayMicroseconds ?? 0),
            MaxQueueSize: config.DynamicBatching?.MaxQueueSize ?? 0);
    }
}
