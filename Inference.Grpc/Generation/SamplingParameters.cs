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

    /// <summary>Temperature 0, a vanishing temperature or top_k 1 (a tiny top_p keeps one token while sampling).</summary>
    public bool IsGreedy => Temperature < GreedyBelowTemperature || TopK == 1;
}
