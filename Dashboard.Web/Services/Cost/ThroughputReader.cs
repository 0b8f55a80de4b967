using MlStack.Dashboard.Services.Metrics;

namespace MlStack.Dashboard.Services.Cost;

/// <summary>
/// The generation throughput this stack actually reached, from Prometheus: the highest 1-minute rate of finished
/// generations and of generated tokens within the chosen window (its busiest minute stands for its capacity;
/// an average over idle time would not).
/// </summary>
public sealed class ThroughputReader(PrometheusClient prometheus)
{
    public static readonly IReadOnlyList<(string Label, string Range)> Windows =
        [("last 15 min", "15m"), ("last hour", "1h"), ("last 6 hours", "6h"), ("last 24 hours", "24h")];

    public async Task<MeasuredThroughput?> PeakAsync(string window, CancellationToken cancellationToken)
    {
        if (!Windows.Any(w => w.Range == window))
        {
            throw new ArgumentException($"Unknown window '{window}'.", nameof(window));
        }
        var requests = await prometheus.QueryScalarAsync(
            $"max_over_time(sum(rate(mlstack_generation_request_success_total[1m]))[{window}:15s])", cancellationToken);
        var tokens = await prometheus.QueryScalarAsync(
            $"max_over_time(sum(rate(mlstack_generation_generation_tokens_total[1m]))[{window}:15s])", cancellationToken);
        return requests is > 0 && tokens is > 0
            ? new MeasuredThroughput(requests.Value, tokens.Value, $"Prometheus, busiest minute of the {Windows.First(w => w.Range == window).Label}")
            : null;
    }
}
