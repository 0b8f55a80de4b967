namespace MlStack.Inference.Generation;

/// <summary>
/// Picks the next token from the logits: repetition penalty, then greedy argmax (temperature 0) or
/// temperature, top-k and top-p (nucleus) filtering and a draw from a seeded generator.
/// </summary>
public sealed class TokenSampler
{
    private readonly SamplingParameters _parameters;
    private readonly SplitMix64 _random;
    private readonly float[] _scratch;
    private readonly int[] _order;
    private readonly HashSet<int> _seen = [];

    public TokenSampler(SamplingParameters parameters, int vocabularySize, IEnumerable<int> promptTokens)
    {
        _parameters = parameters;
        _random = new SplitMix64(parameters.Seed);
        _scratch = new float[vocabularySize];
        _order = new int[vocabularySize];
        if (parameters.RepetitionPenalty != 1f)
        {
            _seen.UnionWith(promptTokens);
        }
    }

    /// <summary>The next token; with a <paramref name="mask"/> (constrained decoding) only among the tokens it allows.</summary>
    public int Next(ReadOnlySpan<float> logits, Constraints.TokenMask? mask = null)
    {
        var scores = _scratch.AsSpan(0, logits.Length);
        logits.CopyTo(scores);
        var penalty = _parameters.RepetitionPenalty;
        if (penalty != 1f)
        {
            // CTRL-style: a seen token's logit is divided by the penalty when positive, multiplied when negative.
            foreach (var id in _seen)
            {
                if ((uint)id < (uint)scores.Length)
                {
                    scores[id] = scores[id] > 0 ? scores[id] / penalty : scores[id] * penalty;
                }
            }
        }

        if (mask is not null)
        {
            Mask(scores, mask);
        }

        var next = _parameters.IsGreedy ? ArgMax(scores) : Sample(scores);
        if ((uint)next >= (uint)scores.Length)
        {
            // Logits the draw cannot use (NaN or infinite from the model itself): the greedy token instead.
            next = ArgMax(mask is null ? logits : scores);
        }
        if (mask is not null && !mask.Allows(next))
        {
            next = FirstAllowed(mask, scores.Length) ?? next;
        }
        if (penalty != 1f)
        {
            _seen.Add(next);
        }
        return next;
    }

    /// <summary>Disallowed tokens get -infinity, 64 at a time where a whole word of the mask is empty (most of them).</summary>
    private static void Mask(Span<float> scores, Constraints.TokenMask mask)
    {
        var bits = mask.Bits;
        for (var word = 0; word * 64 < scores.Length; word++)
        {
            var allowed = word < bits.Length ? bits[word] : 0UL;
            if (allowed == ulong.MaxValue) continue;
            var start = word * 64;
            var count = Math.Min(64, scores.Length - start);
            if (allowed == 0)
            {
                scores.Slice(start, count).Fill(float.NegativeInfinity);
                continue;
            }
            for (var i = 0; i < count; i++)
            {
                if ((allowed & (1UL << i)) == 0) scores[start + i] = float.NegativeInfinity;
            }
        }
    }

    private static int? FirstAllowed(Constraints.TokenMask mask, int count)
    {
        for (var id = 0; id < count; id++)
        {
            if (mask.Allows(id)) return id;
        }
        return null;
    }

    internal static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            if (scores[i] > scores[best])
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>A token drawn from the filtered distribution; -1 when the scores hold no usable distribution.</summary>
    private int Sample(Span<float> scores)
    {
        var n = scores.Length;
        var max = float.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            scores[i] /= _parameters.Temperature;
            max = Math.Max(max, scores[i]);
        }
        if (!float.IsFinite(max))
        {
            return -1;
        }
        if (_parameters.TopK == 0 && _parameters.TopP >= 1f)
        {
            // The whole distribution: no ordering needed (matters for 150k-token vocabularies).
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += Math.Exp(scores[i] - max);
            }
            if (!double.IsFinite(sum))
            {
                return -1;
            }
            var target = _random.NextDouble() * sum;
            for (var i = 0; i < n; i++)
            {
                target -= Math.Exp(scores[i] - max);
                if (target < 0)
                {
                    return i;
                }
            }
            return n - 1;
        }

        var order = _order.AsSpan(0, n);
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }
        // Candidates sorted by score, highest first; ties by id so the order never depends on the sort.
        var scoresArray = _scratch;
        order.Sort((a, b) =>
        {
            var c = scoresArray[b].CompareTo(scoresArray[a]);
            return c != 0 ? c : a.CompareTo(b);
        });

        var keep = _parameters.TopK > 0 ? Math.Min(_parameters.TopK, n) : n;
        double total = 0;
        var probabilities = new double[keep];
        for (var i = 0; i < keep; i++)
        {
            probabilities[i] = Math.Exp(scores[order[i]] - max);
            total += probabilities[i];
        }
        if (_parameters.TopP < 1f)
        {
            // Smallest prefix whose probability mass reaches top_p (always at least one token).
            double mass = 0;
            for (var i = 0; i < keep; i++)
            {
                mass += probabilities[i] / total;
                if (mass >= _parameters.TopP)
                {
                    keep = i + 1;
                    break;
                }
            }
            total = 0;
            for (var i = 0; i < keep; i++)
            {
                total += probabilities[i];
            }
        }

        if (!(total > 0) || !double.IsFinite(total))
        {
            return -1;
        }
        var draw = _random.NextDouble() * total;
        for (var i = 0; i < keep; i++)
        {
            draw -= probabilities[i];
            if (draw < 0)
            {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}

/// <summary>SplitMix64: a tiny generator whose sequence is fixed by its seed on every platform and runtime.</summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));
}
