using System.Globalization;
using System.Text.Json;

namespace MlStack.Dashboard.Services.Cost;

/// <summary>
/// Reads the JSON report of `./mlstack bench --json` (tools/LoadGenerator) as a measured throughput: the successful
/// requests and tokens per second of its measured phase, described by what was loaded and how.
/// </summary>
public static class LoadReportReader
{
    /// <summary>Reports are a few kilobytes; anything far larger is not one.</summary>
    public const long MaxBytes = 1024 * 1024;

    public const int SchemaVersion = 1;

    /// <exception cref="FormatException">The content is not a load generator report of a version this page reads.</exception>
    public static async Task<MeasuredThroughput> ReadAsync(Stream json, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(json, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new FormatException($"This is not JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schemaVersion", out var version) || !root.TryGetProperty("throughput", out var throughput))
                throw new FormatException("This JSON is not a load generator report (no schemaVersion and throughput); write one with ./mlstack bench ... --json <file>.");
            if (version.ValueKind != JsonValueKind.Number || version.GetInt32() != SchemaVersion)
                throw new FormatException($"This report has schema version {version}; the page reads version {SchemaVersion}.");
            var requests = NonNegative(throughput, "requestsPerSecond");
            var tokens = NonNegative(throughput, "tokensPerSecond");
            return new MeasuredThroughput(requests, tokens, Describe(root));
        }
    }

    private static double NonNegative(JsonElement throughput, string name) =>
        throughput.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.GetDouble() is var number and >= 0 && double.IsFinite(number)
            ? number
            : throw new FormatException($"The report's throughput.{name} is missing or not a number of at least 0.");

    /// <summary>E.g. "load generator: grpc-generate, closed loop of 4, 30 s on 2026-12-01".</summary>
    private static string Describe(JsonElement root)
    {
        var target = Text(root, "target") ?? "unknown target";
        if (!root.TryGetProperty("run", out var run) || run.ValueKind != JsonValueKind.Object)
            return $"load generator: {target}";
        var mode = Text(run, "mode") == "open" && run.TryGetProperty("ratePerSecond", out var rate) && rate.ValueKind == JsonValueKind.Number
            ? $"open loop at {rate.GetDouble().ToString("0.##", CultureInfo.InvariantCulture)}/s"
            : run.TryGetProperty("concurrency", out var workers) && workers.ValueKind == JsonValueKind.Number ? $"closed loop of {workers.GetInt32()}" : "";
        var seconds = run.TryGetProperty("elapsedSeconds", out var elapsed) && elapsed.ValueKind == JsonValueKind.Number
            ? $", {elapsed.GetDouble().ToString("0", CultureInfo.InvariantCulture)} s" : "";
        var day = run.TryGetProperty("startedAt", out var started) && started.TryGetDateTimeOffset(out var at)
            ? $" on {at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" : "";
        return $"load generator: {target}{(mode.Length > 0 ? ", " + mode : "")}{seconds}{day}";
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
