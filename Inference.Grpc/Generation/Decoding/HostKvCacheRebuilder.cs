using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>The cache in host memory (the CPU provider): each row's positions of each head copied with spans.</summary>
public sealed class HostKvCacheRebuilder(DecoderLayout layout) : KvCacheRebuilder(layout)
{
    public override KvCache Gather(IReadOnlyList<(KvCache Cache, int Row)> rows, int capacity = 0)
    {
        var lengths = rows.Select(r => r.Cache.Lengths[r.Row]).ToArray();
        var shared = Layout.Format == KvCacheFormat.SharedBuffer;
        var columns = shared ? Math.Max(capacity, lengths.Max()) : lengths.Max();
        var heads = Layout.KvHeads;
        var position = Layout.HeadDim * Layout.CacheElementSize; // bytes of one cached position of one head
        var values = new OrtValue[Layout.PastNames.Length];
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, Layout.CacheType, [rows.Count, heads, columns, Layout.HeadDim]);
                var target = values[i].GetTensorMutableRawData();
                for (var r = 0; r < rows.Count; r++)
                {
                    var (source, row) = rows[r];
                    var from = source.Values[i].GetTensorMutableRawData();
                    var length = lengths[r] * position;
                    for (var h = 0; h < heads; h++)
                    {
                        var start = (row * heads + h) * source.Columns * position + source.Padding(row) * position;
                        var to = target.Slice((r * heads + h) * columns * position, columns * position);
                        if (shared)
                        {
                            // Left-aligned. The rest is not cleared: GroupQueryAttention reads a row only up to its
                            // length, and a step writes each position before any later step reads it.
                            from.Slice(start, length).CopyTo(to[..length]);
                        }
                        else
                        {
                            to[..^length].Clear();
                            from.Slice(start, length).CopyTo(to[^length..]);
                        }
                    }
                }
            }
            return new KvCache(values, lengths, columns, Layout.Format);
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
}
