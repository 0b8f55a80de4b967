using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The token-side inputs of one decoder step for a batch (input_ids, attention_mask, position_ids and
/// use_cache_branch of merged exports), built as OrtValues over buffers reused from step to step. Each row's
/// attention_mask is 0 over its padding columns, and its position_ids continue its own positions, so rows of
/// different lengths run together exactly as they would alone. For a <see cref="KvCacheFormat.SharedBuffer"/> cache
/// (left-aligned rows) each row's mask is 1 over its own positions and the new tokens, then 0: the graph takes the
/// row's length (seqlens_k) from it and the run's total length from its width.
/// </summary>
internal sealed class DecoderInputs(int contextLength)
{
    private long[] _ids = [];
    private long[] _mask = [];
    private long[] _positions = [];
    private readonly bool[] _useCache = new bool[1];

    /// <summary>The OrtValues for <paramref name="width"/> new tokens per row (row-major) after <paramref name="past"/>.</summary>
    public List<(string Name, OrtValue Value)> Create(DecoderLayout layout, KvCache past, ReadOnlySpan<long> tokens, int width)
    {
        var rows = past.Rows;
        if (tokens.Length != rows * width)
        {
            throw new ArgumentException($"{tokens.Length} tokens for {rows} rows of {width}.", nameof(tokens));
        }
        var shared = past.Format == KvCacheFormat.SharedBuffer;
        var columns = (shared ? past.Lengths.Max() : past.Columns) + width;
        Grow(ref _ids, rows * width);
        Grow(ref _positions, rows * width);
        Grow(ref _mask, rows * columns);
        tokens.CopyTo(_ids);
        for (var r = 0; r < rows; r++)
        {
            var length = past.Lengths[r];
            if (length + width > contextLength)
            {
                throw new InvalidOperationException($"The sequence would exceed the context of {contextLength} tokens.");
            }
            if (width > past.Room(r))
            {
                throw new InvalidOperationException($"Row {r} has room for {past.Room(r)} more positions in its KV cache buffer, not {width}.");
            }
            if (shared)
            {
                _mask.AsSpan(r * columns, length + width).Fill(1L);
                _mask.AsSpan(r * columns + length + width, columns - length - width).Clear();
            }
            else
            {
                var padding = past.Padding(r);
                _mask.AsSpan(r * columns, padding).Clear();
                _mask.AsSpan(r * columns + padding, columns - padding).Fill(1L);
            }
            for (var j = 0; j < width; j++)
            {
                _positions[r * width + j] = length + j;
            }
        }

        var cpu = OrtMemoryInfo.DefaultInstance;
        var values = new List<(string, OrtValue)>(4)
        {
            (layout.InputIdsName, OrtValue.CreateTensorValueFromMemory(cpu, _ids.AsMemory(0, rows * width), [rows, width])),
            (layout.AttentionMaskName, OrtValue.CreateTensorValueFromMemory(cpu, _mask.AsMemory(0, rows * columns), [rows, columns])),
        };
        if (layout.HasPositionIds)
        {
            values.Add(("position_ids", OrtValue.CreateTensorValueFromMemory(cpu, _positions.AsMemory(0, rows * width), [rows, width])));
        }
        if (layout.HasUseCacheBranch)
        {
            _useCache[0] = past.Columns > 0;
            values.Add(("use_cache_branch", OrtValue.CreateTensorValueFromMemory(cpu, _useCache.AsMemory(), [1])));
        }
        return values;
    }

    private static void Grow(ref long[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new long[Math.Max(length, buffer.Length * 2)];
        }
    }
}
