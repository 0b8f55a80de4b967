using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The KV cache of a batch of sequences: per past_key_values.* input one tensor [rows, kv_heads, columns, head_dim].
/// Rows are right-aligned (left padding): row r's cached positions are its last <see cref="Lengths"/>[r] columns and
/// the columns before them are padding, masked out by attention_mask and kept at zero. A decoder step appends one
/// column per new token to every row, so rows of different lengths share one ONNX Runtime run.
/// </summary>
public sealed class KvCache : IDisposable
{
    internal KvCache(OrtValue[] values, int[] lengths, int columns)
    {
        Values = values;
        Lengths = lengths;
        Columns = columns;
    }

    /// <summary>In <see cref="DecoderLayout.PastNames"/> order.</summary>
    public OrtValue[] Values { get; private set; }

    public int[] Lengths { get; }

    public int Rows => Lengths.Length;

    public int Columns { get; }

    /// <summary>Positions held, padding included: what the batch costs in memory.</summary>
    public int Slots => Rows * Columns;

    /// <summary>Padding columns before row <paramref name="row"/>'s positions.</summary>
    public int Padding(int row) => Columns - Lengths[row];

    /// <summary>The cache before the first step: no positions (host tensors with no elements, nothing to copy to a device).</summary>
    public static KvCache Empty(DecoderLayout layout, int rows) =>
        new([.. layout.PastNames.Select(_ => OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, layout.CacheType,
            [rows, layout.KvHeads, 0, layout.HeadDim]))], new int[rows], 0);

    public void Dispose()
    {
        foreach (var value in Values)
        {
            value.Dispose();
        }
        Values = [];
    }
}
