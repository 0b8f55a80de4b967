using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The KV cache of a batch of sequences: per past input one tensor [rows, kv_heads, columns, head_dim], laid out as
/// the graph's <see cref="KvCacheFormat"/> reads it.
/// <list type="bullet">
/// <item><see cref="KvCacheFormat.Concatenated"/> (Optimum): rows are right-aligned (left padding): row r's cached
/// positions are its last <see cref="Lengths"/>[r] columns and the columns before them are padding, masked out by
/// attention_mask and kept at zero. A decoder step returns new tensors one column wider per new token.</item>
/// <item><see cref="KvCacheFormat.SharedBuffer"/> (onnxruntime-genai): <see cref="Columns"/> is the buffer's
/// capacity; row r's positions are its first <see cref="Lengths"/>[r] columns, and a step writes the new ones in
/// place after them (the same tensors are past and present). What lies beyond a row's length is never read.</item>
/// </list>
/// Either way rows of different lengths share one ONNX Runtime run.
/// </summary>
public sealed class KvCache : IDisposable
{
    internal KvCache(OrtValue[] values, int[] lengths, int columns, KvCacheFormat format = KvCacheFormat.Concatenated)
    {
        Values = values;
        Lengths = lengths;
        Columns = columns;
        Format = format;
    }

    /// <summary>In <see cref="DecoderLayout.PastNames"/> order.</summary>
    public OrtValue[] Values { get; private set; }

    public int[] Lengths { get; }

    public int Rows => Lengths.Length;

    /// <summary>Positions per row the tensors hold: the longest row (Concatenated) or the buffer's capacity (SharedBuffer).</summary>
    public int Columns { get; }

    public KvCacheFormat Format { get; }

    /// <summary>Positions held, padding and unused capacity included: what the batch costs in memory.</summary>
    public int Slots => Rows * Columns;

    /// <summary>Columns before row <paramref name="row"/>'s positions: padding (Concatenated); 0 in a left-aligned shared buffer.</summary>
    public int Padding(int row) => Format == KvCacheFormat.SharedBuffer ? 0 : Columns - Lengths[row];

    /// <summary>Positions a new token of row <paramref name="row"/> can still take.</summary>
    public int Room(int row) => Format == KvCacheFormat.SharedBuffer ? Columns - Lengths[row] : int.MaxValue;

    /// <summary>The cache before the first step of a Concatenated layout: no positions (host tensors with no elements).</summary>
    public static KvCache Empty(DecoderLayout layout, int rows) =>
        new([.. layout.PastNames.Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, layout.CacheType,
            [rows, layout.KvHeads, 0, layout.HeadDim]))], new int[rows], 0);

    /// <summary>
    /// The cache after a step that appended <paramref name="width"/> positions to every row: <paramref name="presents"/>
    /// (new tensors, or this cache's own when written in place) with the lengths grown. This cache gives up its tensors.
    /// </summary>
    internal KvCache Advance(OrtValue[] presents, int width)
    {
        for (var i = 0; i < Values.Length; i++)
        {
            if (!ReferenceEquals(Values[i], presents[i]))
            {
                Values[i].Dispose();
            }
        }
        Values = [];
        var columns = Format == KvCacheFormat.SharedBuffer ? Columns : Columns + width;
        return new KvCache(presents, [.. Lengths.Select(length => length + width)], columns, Format);
    }

    public void Dispose()
    {
        foreach (var value in Values)
        {
            value.Dispose();
        }
        Values = [];
    }
}
