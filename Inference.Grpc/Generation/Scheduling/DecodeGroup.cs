using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.Generation.Scheduling;

/// <summary>
/// Sequences decoded together: one padded <see cref="KvCache"/> row each and one ONNX Runtime run per step for all
/// of them. Sequences whose prompt is prefilled join before the next step and finished ones leave at once; only then
/// is the cache rebuilt (the rows kept, right-aligned under as few columns as the longest needs). Between such
/// changes a step's present.* are the next step's past (no copy).
/// </summary>
internal sealed class DecodeGroup(DecoderStep step, KvCacheRebuilder rebuilder) : IDisposable
{
    private readonly List<GenerationSequence> _rows = [];
    private readonly List<GenerationSequence> _joining = [];
    private KvCache? _cache;
    private long[] _tokens = [];

    /// <summary>Rows after the pending joins and leaves.</summary>
    public int Count => _rows.Count(r => !r.Leaving && r.FinishReason is null) + _joining.Count;

    public IReadOnlyList<GenerationSequence> Rows => _rows;

    /// <summary>KV positions held, padding included.</summary>
    public int Slots => _cache?.Slots ?? 0;

    /// <summary>A sequence whose prompt is in its own cache joins at the next step.</summary>
    public void Join(GenerationSequence sequence) => _joining.Add(sequence);

    /// <summary>
    /// Applies joins and leaves (rows that finished or were asked to leave) to the cache before a step; false when no
    /// row is left.
    /// </summary>
    public bool Prepare()
    {
        if (_joining.Count == 0 && _rows.TrueForAll(r => !r.Leaving && r.FinishReason is null))
        {
            return _rows.Count > 0;
        }
        var kept = new List<(KvCache Cache, int Row)>();
        var rows = new List<GenerationSequence>();
        for (var r = 0; r < _rows.Count; r++)
        {
            if (!_rows[r].Leaving && _rows[r].FinishReason is null)
            {
                kept.Add((_cache!, r));
                rows.Add(_rows[r]);
            }
        }
        foreach (var joining in _joining)
        {
            if (joining.Leaving || joining.FinishReason is not null || joining.Cache is null)
            {
                continue;
            }
            kept.Add((joining.Cache, 0));
            rows.Add(joining);
        }

        var stayed = rows.Count(r => _rows.Contains(r));
        var joined = rows.Count - stayed;
        KvCache? rebuilt;
        if (rows.Count == 0)
        {
            rebuilt = null;
        }
        else if (joined == 0 && stayed == _rows.Count)
        {
            rebuilt = _cache; // only joiners that left before joining: unchanged
        }
        else if (stayed == 0 && joined == 1)
        {
            rebuilt = rows[0].Cache; // a lone joiner's own cache is the batch: nothing to copy
            rows[0].Cache = null;
        }
        else
        {
            // A shared buffer holds as many positions as the most any row may reach (prompt plus max_new_tokens).
            rebuilt = rebuilder.Gather(kept, rows.Max(r => r.Capacity));
        }

        if (!ReferenceEquals(rebuilt, _cache))
        {
            _cache?.Dispose();
        }
        foreach (var joining in _joining)
        {
            joining.Cache?.Dispose();
            joining.Cache = null;
        }
        _cache = rebuilt;
        _rows.Clear();
        _rows.AddRange(rows);
        _joining.Clear();
        return _rows.Count > 0;
    }

    /// <summary>One token for every row, one run; the logits of row r are in <see cref="Logits"/>(r) afterwards.</summary>
    public void Step(RunOptions runOptions)
    {
        if (_tokens.Length < _rows.Count)
        {
            _tokens = new long[_rows.Count * 2];
        }
        for (var r = 0; r < _rows.Count; r++)
        {
            _tokens[r] = _rows[r].LastToken;
        }
        _cache = step.Run(_cache!, _tokens.AsSpan(0, _rows.Count), 1, runOptions);
    }

    public ReadOnlySpan<float> Logits(int row) => step.Logits(row);

    public void Dispose()
    {
        _cache?.Dispose();
        _cache = null;
        step.Dispose();
    }
}
