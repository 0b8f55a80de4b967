namespace MlStack.Inference.Generation;

/// <summary>Validated decoding settings of one request (the request's, else the model's defaults).</summary>
public sealed record SamplingParameters(
    int MaxNewTokens,
    float Temperature,
    float TopP,
    int TopK,
    float RepetitionPenalty,
    ulong Seed,
    IReadOnlyList<string> StopSequences,
    bool IgnoreEos)
{
    /// <summary>
    /// Below this temperature sampling is greedy decoding: logits divided by a vanishing temperature overflow to
    /// infinities whose differences are NaN, and the distribution they stand for is the argmax anyway.
    /// </summary>
    public const float GreedyBelowTemperature = 1e-3f;

    /// <summary>repetition_penalty outside this range is refused: it would push logits past float's range.</summary>
    public const float MinRepetitionPenalty = 1e-2f, MaxRepetitionPenalty = 1e2f;

    /// <summary>presence_penalty and frequency_penalty range (OpenAI's).</summary>
    public const float MaxAdditivePenalty = 2f;

    /// <summary>logit_bias values range (OpenAI's): -100 bans a token, 100 all but forces it.</summary>
    public const float MaxLogitBias = 100f;

    /// <summary>top_logprobs at most (OpenAI's limit).</summary>
    public const int MaxTopLogprobs = 20;

    /// <summary>Subtracted once from the logit of every token already generated (OpenAI semantics; not the prompt's tokens).</summary>
    public float PresencePenalty { get; init; }

    /// <summary>Subtracted from a generated token's logit once per time it was generated.</summary>
    public float FrequencyPenalty { get; init; }

    /// <summary>Added to the logits of these token ids before penalties and temperature.</summary>
    public IReadOnlyDictionary<int, float> LogitBias { get; init; } = new Dictionary<int, float>();

    /// <summary>null: no logprobs; else each token's logprob and this many most likely alternatives (0..20).</summary>
    public int? TopLogprobs { get; init; }

    /// <summary>Temperature 0, a vanishing temperature or top_k 1 (a tiny top_p keeps one token while sampling).</summary>
    public bool IsGreedy => Temperature < GreedyBelowTemperature || TopK == 1;

    /// <summary>
    /// The parameters of choice <paramref name="index"/> of n: choice 0 keeps the seed (so n=1 and the first of n agree),
    /// the others draw from a seed mixed from it and their index, so they differ and each repeats with the same seed.
    /// </summary>
    public SamplingParameters ForChoice(int index) => index == 0 ? this : this with { Seed = ChoiceSeed(Seed, index) };

    public static ulong ChoiceSeed(ulong seed, int index) =>
        index == 0 ? seed : new SplitMix64(seed ^ (0xD1B54A32D192ED03UL * (ulong)index)).NextUInt64();
}
