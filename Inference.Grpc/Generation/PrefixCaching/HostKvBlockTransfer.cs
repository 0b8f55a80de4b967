using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.Generation.PrefixCaching;

/// <summary>
/// Blocks for Optimum's past/present layout in host memory (the CPU provider): per past input
/// [rows, kv_heads, columns, head_dim], row 0 right-aligned. Copying a block is one span copy per head and input
/// (copy-on-reuse: a sequence owns its cache, the stored blocks are only read).
/// </summary>
public sealed class HostKvBlockTransfer(DecoderLayout layout, int blockTokens) : KvBlockTransfer(layout, blockTokens)
{
    private int Position => Layout.HeadDim * Layout.CacheElementSize; // bytes of one cached position of one head

    private int Run => BlockTokens * Position; // bytes of one block of one head

    public override KvCache Build(IReadOnlyList<KvBlock> blocks)
    {
        var columns = blocks.Count * BlockTokens;
        var heads = Layout.KvHeads;
        var values = new OrtValue[Layout.PastNames.Length];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Layout.CacheType, [1, heads, columns, Layout.HeadDim]);
                var target = values[i].GetTensorMutableRawData();
                for (var b = 0; b < blocks.Count; b++)
                {
                    var data = blocks[b].Data.AsSpan(i * heads * Run, heads * Run);
                    for (var h = 0; h < heads; h++)
                    {
                        data.Slice(h * Run, Run).CopyTo(target[((h * columns + b * BlockTokens) * Position)..]);
                    }
                }
            }
            return new KvCache(values, [columns], columns);
        }
        catch
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
            throw;
        }
    }

    public override byte[][] Cut(KvCache cache, int first, int count)
    {
        if (cache.Rows != 1 || (first + count) * BlockTokens > cache.Lengths[0])
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Blocks {first}..{first + count} are not in a one-row cache of {cache.Lengths[0]} positions.");
        }
        var heads = Layout.KvHeads;
        var padding = cache.Padding(0);
        var blocks = new byte[count][];
        for (var b = 0; b < count; b++)
        {
            blocks[b] = new byte[BlockBytes];
        }
        for (var i = 0; i < cache.Values.Length; i++)
        {
            var source = cache.Values[i].GetTensorMutableRawData();
            for (var h = 0; h < heads; h++)
            {
                for (var b = 0; b < count; b++)
                {
                    var start = (h * cache.Columns + padding + (first + b) * BlockTokens) * Position;
                    source.Slice(start, Run).CopyTo(blocks[b].AsSpan((i * heads + h) * Run, Run));
                }
            }
        }
        return blocks;
    }
}
