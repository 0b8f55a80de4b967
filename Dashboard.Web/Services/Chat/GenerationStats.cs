using Microsoft.Extensions.AI;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// What the page shows under an answer. MlStack models report TTFT and tokens/s themselves (the gRPC summary,
/// carried in <see cref="ChatResponseUpdate.AdditionalProperties"/>); for other backends the page measures them.
/// <see cref="CachedPromptTokens"/>: prompt tokens the server's prefix cache held (null: the backend does not say).
/// </summary>
public sealed record GenerationStats(
    double? TimeToFirstTokenMs,
    double? TokensPerSecond,
    long? CompletionTokens,
    string? FinishReason,
    string? Model,
    string? ModelVersion,
    bool MeasuredByServer,
    long? CachedPromptTokens = null)
{
    public const string TimeToFirstTokenKey = "mlstack.time_to_first_token_ms";
    public const string TokensPerSecondKey = "mlstack.tokens_per_second";
    public const string TotalTimeKey = "mlstack.total_time_ms";
    public const string ModelVersionKey = "mlstack.model_version";
}
