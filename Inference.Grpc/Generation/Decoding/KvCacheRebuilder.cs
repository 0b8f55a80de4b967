using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// Creates and rebuilds KV caches in the memory they live in, laid out in the graph's <see cref="KvCacheFormat"/>:
/// <see cref="HostKvCacheRebuilder"/> in host memory (CPU), <see cref="GraphKvCacheRebuilder"/> on the device (CUDA).
/// A batch's cache is rebuilt when the batch changes (a sequence joins or leaves); between such changes nothing is
/// copied: a step's present.* are the next step's past_key_values.* (or the same buffers, written in place).
/// </summary>
public abstract class KvCacheRebuilder(DecoderLayout layout) : IDisposable
{
    protected DecoderLayout Layout { get; } = layout;

    /// <summary>
    /// A new cache holding the given rows (of one or more caches), in that order, padding zeroed: right-aligned under
    /// as many columns as the longest needs (Concatenated), or left-aligned in buffers of <paramref name="capacity"/>
    /// positions (SharedBuffer). The sources are left as they were.
    /// </summary>
    public abstract KvCache Gather(IReadOnlyList<(KvCache Cache, int Row)> rows, int capacity = 0);

    /// <summary>The cache of a new sequence before its first step, with room for <paramref name="capacity"/> positions.</summary>
    public KvCache Create(int capacity) =>
        Layout.Format == KvCacheFormat.Concatenated
            ? KvCache.Empty(Layout, 1) // grows by concatenation: no elements, nothing to place on a device
            : Seed([.. Layout.PastNames.Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Layout.CacheType,
                [1, Layout.KvHeads, 0, Layout.HeadDim]))], 0, capacity, disposeGiven: true);

    /// <summary>
    /// The cache of one sequence whose first <paramref name="positions"/> positions are given (a reused prompt prefix):
    /// <paramref name="given"/> holds per past input, in <see cref="DecoderLayout.PastNames"/> order, a host tensor
    /// [1, kv_heads, positions, head_dim] of the cache's element type. The result is laid out in the graph's format,
    /// in the cache's memory, with room for <paramref name="capacity"/> positions; the given tensors are left as they were.
    /// </summary>
    public KvCache Seed(IReadOnlyList<OrtValue> given, int positions, int capacity) => Seed(given, positions, capacity, disposeGiven: false);

    private KvCache Seed(IReadOnlyList<OrtValue> given, int positions, int capacity, bool disposeGiven)
    {
        if (given.Count != Layout.PastNames.Length)
        {
            throw new ArgumentException($"{given.Count} tensors for {Layout.PastNames.Length} past inputs.", nameof(given));
        }
        // A one-row source with no padding reads the same in either format.
        var source = new KvCache([.. given], [positions], positions, Layout.Format);
        try
        {
            return Gather([(source, 0)], Math.Max(capacity, positions));
        }
        finally
        {
            if (disposeGiven)
            {
                source.Dispose();
            }
        }
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
