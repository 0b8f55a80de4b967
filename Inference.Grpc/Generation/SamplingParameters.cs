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
    public bool IsGreedy => Temperature == 0f;
}
