using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The token-side inputs of one decoder step (input_ids, attention_mask, position_ids), built as OrtValues
/// over buffers that live as long as the sequence: no allocation per step beyond the small OrtValue handles.
/// </summary>
internal sealed class DecoderInputs
{
    private readonly long[] _ids;
    private readonly long[] _positions;
    private readonly long[] _mask;
    private readonly bool[] _useCache = new bool[1];

    public DecoderInputs(int contextLength)
    {
        _ids = new long[contextLength];
        _positions = new long[contextLength];
        _mask = new long[contextLength];
        Array.Fill(_mask, 1L);
    }

    /// <summary>The OrtValues for <paramref name="tokens"/> following <paramref name="pastLength"/> cached positions.</summary>
    public List<(string Name, OrtValue Value)> Create(DecoderLayout layout, ReadOnlySpan<long> tokens, int pastLength)
    {
        var count = tokens.Length;
        if (pastLength + count > _mask.Length)
        {
            throw new InvalidOperationException($"The sequence would exceed the context of {_mask.Length} tokens.");
        }
        tokens.CopyTo(_ids);
        for (var i = 0; i < count; i++)
        {
            _positions[i] = pastLength + i;
        }
        var cpu = OrtMemoryInfo.DefaultInstance;
        var values = new List<(string, OrtValue)>(4)
        {
            ("input_ids", OrtValue.CreateTensorValueFromMemory(cpu, _ids.AsMemory(0, count), [1, count])),
            ("attention_mask", OrtValue.CreateTensorValueFromMemory(cpu, _mask.AsMemory(0, pastLength + count), [1, pastLength + count])),
        };
        if (layout.HasPositionIds)
        {
            values.Add(("position_ids", OrtValue.CreateTensorValueFromMemory(cpu, _positions.AsMemory(0, count), [1, count])));
        }
        if (layout.HasUseCacheBranch)
        {
            _useCache[0] = pastLength > 0;
            values.Add(("use_cache_branch", OrtValue.CreateTensorValueFromMemory(cpu, _useCache.AsMemory(), [1])));
        }
        return values;
    }
}
