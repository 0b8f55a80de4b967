namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// Rebuilds a batch's KV cache when the batch changes (a sequence joins or leaves), in the memory the cache lives in:
/// <see cref="HostKvCacheRebuilder"/> in host memory (CPU), <see cref="GraphKvCacheRebuilder"/> on the device (CUDA).
/// Between such changes nothing is copied: a step's present.* are the next step's past_key_values.*.
/// </summary>
public abstract class KvCacheRebuilder(DecoderLayout layout) : IDisposable
{
    protected DecoderLayout Layout { get; } = layout;

    /// <summary>
    /// A new cache holding the given rows (of one or more caches), in that order, right-aligned under as many columns
    /// as the longest needs, padding zeroed. The sources are left as they were.
    /// </summary>
    public abstract KvCache Gather(IReadOnlyList<(KvCache Cache, int Row)> rows);

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
