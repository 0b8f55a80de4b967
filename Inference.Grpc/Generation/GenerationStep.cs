namespace MlStack.Inference.Generation;

/// <summary>
/// One streamed piece: the text that became final with this token (may be empty), the token, and its logprobs when
/// asked for (none for the end-of-sequence token, which adds no text).
/// </summary>
public sealed record GenerationStep(string Text, int? TokenId, GenerationResult? Result = null, TokenLogprobs? Logprobs = null);

/// <summary>How a generation ended; carried by the last step. <see cref="CachedPromptTokens"/>: prompt tokens the prefix cache held (not prefilled).</summary>
public sealed record GenerationResult(
    string FinishReason,
    int PromptTokens,
    int CompletionTokens,
    TimeSpan TimeToFirstToken,
    double TokensPerSecond,
    TimeSpan Total,
    string? StopSequence,
    ulong Seed,
    int CachedPromptTokens = 0);

public static class FinishReasons
{
    public const string Stop = "stop";
    public const string Length = "length";
    public const string Cancelled = "cancelled";
}
