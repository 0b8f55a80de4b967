using System.Numerics.Tensors;

namespace MlStack.Inference.Generation;

/// <summary>
/// Picks the next token from the logits: logit_bias, the repetition penalty (CTRL-style, over prompt and output), the
/// presence and frequency penalties (OpenAI's, over the output), then greedy argmax (temperature 0) or temperature,
/// top-k and top-p (nucleus) filtering and a draw from a seeded generator. Logprobs, when asked for, are those of the
/// distribution after bias, penalties and temperature (temperature 0 counts as 1), before top-k/top-p truncation.
/// </summary>
public sealed class TokenSampler
{
    private readonly SamplingParameters _parameters;
    private readonly SplitMix64 _random;
    private readonly float[] _scratch;
    private readonly int[] _order;
    private readonly HashSet<int> _seen = [];
    private readonly Dictionary<int, int> _generated = [];
    private float[]? _exp;

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

    public int Next(ReadOnlySpan<float> logits) => Next(logits, null, out _);

    /// <summary>The next token among those <paramref name="mask"/> allows (constrained decoding).</summary>
    public int Next(ReadOnlySpan<float> logits, Constraints.TokenMask? mask) => Next(logits, mask, out _);

    /// <summary>The next token; <paramref name="logprobs"/> is its logprob and the top alternatives when the parameters ask for them.</summary>
    public int Next(ReadOnlySpan<float> logits, out TokenLogprobs? logprobs) => Next(logits, null, out logprobs);

    /// <summary>
    /// The next token, among those <paramref name="mask"/> allows when there is one (constrained decoding);
    /// <paramref name="logprobs"/> is its logprob and the top alternatives when the parameters ask for them.
    /// </summary>
    public int Next(ReadOnlySpan<float> logits, Constraints.TokenMask? mask, out TokenLogprobs? logprobs)
    {
        var scores = _scratch.AsSpan(0, logits.Length);
        logits.CopyTo(scores);
        foreach (var (id, bias) in _parameters.LogitBias)
        {
            if ((uint)id < (uint)scores.Length)
            {
                scores[id] += bias;
            }
        }
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
        var presence = _parameters.PresencePenalty;
        var frequency = _parameters.FrequencyPenalty;
        foreach (var (id, count) in _generated)
        {
            if ((uint)id < (uint)scores.Length)
            {
                scores[id] -= presence + frequency * count;
            }
        }

        if (mask is not null)
        {
            Mask(scores, mask);
        }

        var greedy = _parameters.IsGreedy;
        if (!greedy)
        {
            var temperature = _parameters.Temperature;
            for (var i = 0; i < scores.Length; i++)
            {
                scores[i] /= temperature;
            }
        }
        // The log-normalizer is taken before sampling reorders or truncates anything.
        var logNormalizer = _parameters.TopLogprobs is not null ? LogSumExp(scores) : 0;
        var next = greedy ? ArgMax(scores) : Sample(scores);
        if ((uint)next >= (uint)scores.Length)
        {
            // Logits the draw cannot use (NaN or infinite from the model itself): the greedy token instead.
            next = ArgMax(mask is null ? logits : scores);
        }
        if (mask is not null && !mask.Allows(next))
        {
            next = FirstAllowed(mask, scores.Length) ?? next;
        }
        logprobs = _parameters.TopLogprobs is { } top ? Logprobs(scores, next, logNormalizer, top) : null;
        if (penalty != 1f)
        {
            _seen.Add(next);
        }
        if (presence != 0f || frequency != 0f)
        {
            _generated[next] = _generated.GetValueOrDefault(next) + 1;
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

    /// <summary>log Σ exp(scores), vectorized (TensorPrimitives): a scalar Math.Exp loop took ~3 ms over 152k logits.</summary>
    private double LogSumExp(ReadOnlySpan<float> scores)
    {
        var max = TensorPrimitives.Max(scores);
        if (!float.IsFinite(max))
        {
            return max;
        }
        var shifted = (_exp ??= new float[_scratch.Length]).AsSpan(0, scores.Length);
        TensorPrimitives.Subtract(scores, max, shifted);
        TensorPrimitives.Exp(shifted, shifted);
        return max + Math.Log(TensorPrimitives.Sum(shifted));
    }

    /// <summary>The chosen token's logprob and the <paramref name="count"/> highest, by one pass keeping a small sorted list.</summary>
    private static TokenLogprobs Logprobs(ReadOnlySpan<float> scores, int chosen, double logNormalizer, int count)
    {
        var top = new List<TokenLogprob>(count + 1);
        if (count > 0)
        {
            var threshold = float.NegativeInfinity; // once the list is full: the lowest score kept
            for (var i = 0; i < scores.Length; i++)
            {
                var s = scores[i];
                if (!(s > threshold) && top.Count == count)
                {
                    continue; // ties keep the lower id, which came first
                }
                var at = top.Count;
                while (at > 0 && s > top[at - 1].Logprob)
                {
                    at--;
                }
                top.Insert(at, new TokenLogprob(i, s));
                if (top.Count > count)
                {
                    top.RemoveAt(count);
                }
                if (top.Count == count)
                {
                    threshold = top[^1].Logprob;
                }
            }
            for (var i = 0; i < top.Count; i++)
            {
                top[i] = top[i] with { Logprob = (float)(top[i].Logprob - logNormalizer) };
            }
        }
        return new TokenLogprobs(chosen, (float)(scores[chosen] - logNormalizer), top);
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

    /// <summary>A token drawn from the filtered distribution of scores already divided by the temperature; -1 when the scores hold no usable distribution.</summary>
    private int Sample(Span<float> scores)
    {
        var n = scores.Length;
        var max = float.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
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
