using System.Globalization;
using System.Text.Json;

namespace MlStack.Dashboard.Services.Metrics;

/// <summary>Typed client of Prometheus's HTTP API (found by service discovery as http://prometheus): range and instant queries.</summary>
public sealed class PrometheusClient(HttpClient http)
{
    public async Task<IReadOnlyList<PrometheusSeries>> QueryRangeAsync(string query, DateTime start, DateTime end, TimeSpan step, CancellationToken cancellationToken)
    {
        var url = $"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={Unix(start)}&end={Unix(end)}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}";
        using var document = await GetAsync(url, cancellationToken);
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        return [.. result.EnumerateArray().Select(series => new PrometheusSeries(Labels(series), [.. Points(series.GetProperty("values"))]))];
    }

    /// <summary>The value of an instant query that returns one number (a sum, a max), or null when it has no data.</summary>
    public async Task<double?> QueryScalarAsync(string query, CancellationToken cancellationToken)
    {
        using var document = await GetAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}", cancellationToken);
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        foreach (var series in result.EnumerateArray())
        {
            if (Parse(series.GetProperty("value")) is { } point)
            {
                return point.Value;
            }
        }
        return null;
    }

    private async Task<JsonDocument> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(url, cancellationToken);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        var root = document.RootElement;
        if (!response.IsSuccessStatusCode || root.GetProperty("status").GetString() != "success")
        {
            var error = root.TryGetProperty("error", out var e) ? e.GetString() : response.ReasonPhrase;
            document.Dispose();
            throw new PrometheusQueryException($"Prometheus refused the query: {error}");
        }
        return document;
    }

    private static Dictionary<string, string> Labels(JsonElement series) =>
        series.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");

    private static IEnumerable<(DateTime, double)> Points(JsonElement values)
    {
        foreach (var value in values.EnumerateArray())
        {
            if (Parse(value) is { } point)
            {
                yield return point;
            }
        }
    }

    private static (DateTime Time, double Value)? Parse(JsonElement pair)
    {
        var time = DateTime.UnixEpoch.AddSeconds(pair[0].GetDouble());
        return double.TryParse(pair[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            ? (time, value)
            : null;
    }

    private static string Unix(DateTime time) =>
        (time.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds.ToString("F3", CultureInfo.InvariantCulture);
}

public sealed class PrometheusQueryException(string message) : Exception(message);
