using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// Follows a streamed answer: the server's own figures when the backend sends them, otherwise the time to the first
/// text and the rate of text updates after it, measured here.
/// </summary>
public sealed class GenerationStatsCollector
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private long? _firstText;
    private long _lastText;
    private int _textUpdates;
    private double? _serverTtft;
    private double? _serverTokensPerSecond;
    private long? _completionTokens;
    private long? _cachedPromptTokens;
    private string? _finishReason;
    private string? _model;
    private string? _modelVersion;

    /// <summary>Time from the request to the first text this side saw (the browser-facing TTFT, before rendering).</summary>
    public TimeSpan? ClientTimeToFirstToken => _firstText is { } first ? Stopwatch.GetElapsedTime(_started, first) : null;

    public void Observe(ChatResponseUpdate update)
    {
        if (!string.IsNullOrEmpty(update.Text))
        {
            _firstText ??= Stopwatch.GetTimestamp();
            _lastText = Stopwatch.GetTimestamp();
            _textUpdates++;
        }
        foreach (var usage in update.Contents.OfType<UsageContent>())
        {
            _completionTokens = usage.Details.OutputTokenCount ?? _completionTokens;
            _cachedPromptTokens = usage.Details.CachedInputTokenCount ?? _cachedPromptTokens;
        }
        if (update.FinishReason is { } reason)
        {
            _finishReason = reason.Value;
        }
        _model = update.ModelId ?? _model;
        if (update.AdditionalProperties is { } properties)
        {
            _serverTtft = Read(properties, GenerationStats.TimeToFirstTokenKey) ?? _serverTtft;
            _serverTokensPerSecond = Read(properties, GenerationStats.TokensPerSecondKey) ?? _serverTokensPerSecond;
            if (properties.TryGetValue(GenerationStats.ModelVersionKey, out var version) && version is string text)
            {
                _modelVersion = text;
            }
        }
    }

    public GenerationStats Result(string? finishReasonOverride = null)
    {
        var measuredByServer = _serverTtft is not null;
        var tokens = _completionTokens ?? _textUpdates;
        double? tokensPerSecond = _serverTokensPerSecond;
        if (tokensPerSecond is null && _firstText is { } first && tokens > 1)
        {
            var decoding = Stopwatch.GetElapsedTime(first, _lastText).TotalSeconds;
            tokensPerSecond = decoding > 0 ? (tokens - 1) / decoding : null;
        }
        return new GenerationStats(
            _serverTtft ?? ClientTimeToFirstToken?.TotalMilliseconds,
            tokensPerSecond,
            tokens,
            finishReasonOverride ?? _finishReason,
            _model,
            _modelVersion,
            measuredByServer,
            _cachedPromptTokens);
    }

    private static double? Read(AdditionalPropertiesDictionary properties, string key) =>
        properties.TryGetValue(key, out var value) && value is double number ? number : null;
}
