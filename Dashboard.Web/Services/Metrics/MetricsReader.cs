namespace MlStack.Dashboard.Services.Metrics;

/// <summary>
/// One chart's data: each line with its points, or why it has none, and the span every panel of the range shares
/// (the same start and end, ending at the moment of the query, points <see cref="Step"/> apart).
/// </summary>
public sealed record PanelData(MetricPanel Panel, IReadOnlyList<(string Legend, IReadOnlyList<(DateTime Time, double Value)> Points)> Lines, string? Problem,
    DateTime Start = default, DateTime End = default, TimeSpan Step = default)
{
    public bool HasPoints => Lines.Any(l => l.Points.Count > 0);
}

/// <summary>Runs every panel's queries for a range; a failed query becomes a message on its panel, never an exception.</summary>
public sealed class MetricsReader(PrometheusClient prometheus, ILogger<MetricsReader> logger)
{
    public async Task<IReadOnlyList<PanelData>> ReadAsync(MetricsRange range, DateTime end, CancellationToken cancellationToken)
    {
        var start = end - range.Duration;
        var panels = await Task.WhenAll(MetricPanels.All.Select(panel => ReadPanelAsync(panel, start, end, range.Step, cancellationToken)));
        return [.. panels.Select(p => p with { Start = start, End = end, Step = range.Step })];
    }

    private async Task<PanelData> ReadPanelAsync(MetricPanel panel, DateTime start, DateTime end, TimeSpan step, CancellationToken cancellationToken)
    {
        try
        {
            var lines = new List<(string, IReadOnlyList<(DateTime, double)>)>();
            foreach (var line in panel.Lines)
            {
                foreach (var series in await prometheus.QueryRangeAsync(line.Query, start, end, step, cancellationToken))
                {
                    lines.Add((Legend(line.Legend, series.Labels), series.Points));
                }
            }
            return new PanelData(panel, lines, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or PrometheusQueryException or TaskCanceledException or System.Text.Json.JsonException
            or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            logger.LogWarning("Metrics panel {Panel} could not be read: {Message}", panel.Id, ex.Message);
            return new PanelData(panel, [], ex is PrometheusQueryException ? ex.Message : "Prometheus cannot be reached right now.");
        }
    }

    private static string Legend(string template, IReadOnlyDictionary<string, string> labels)
    {
        var legend = template;
        foreach (var (name, value) in labels)
        {
            legend = legend.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }
        // A label the series does not carry leaves no braces behind.
        return System.Text.RegularExpressions.Regex.Replace(legend, @"\s*\{[a-z_]+\}", "").Trim() is { Length: > 0 } clean ? clean : template;
    }
}
