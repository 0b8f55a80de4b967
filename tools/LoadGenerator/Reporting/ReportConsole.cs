using System.Globalization;
using Spectre.Console;

namespace MlStack.LoadGenerator.Reporting;

/// <summary>The report as tables on the console.</summary>
public static class ReportConsole
{
    public static void Write(IAnsiConsole console, LoadReport report)
    {
        var run = report.Run;
        var shape = run.Mode == "closed"
            ? $"closed loop, {run.Concurrency} workers"
            : $"open loop, {Number(run.RatePerSecond ?? 0)} requests/s (at most {run.Concurrency} in flight)";
        console.Write(new Rule($"[bold]{Markup.Escape(report.Target)}[/] {Markup.Escape(report.Url)}{(report.Model is null ? "" : " · " + Markup.Escape(report.Model))}").LeftJustified());
        console.MarkupLineInterpolated($"{shape}; {Number(run.ElapsedSeconds)} s measured after {Number(run.WarmupSeconds)} s warm-up");

        var summary = new Table().Border(TableBorder.Rounded).AddColumns("Requests", "OK", "Failed", "Requests/s", "Tokens", "Tokens/s");
        summary.AddRow(Count(report.Requests.Sent), Count(report.Requests.Ok), Count(report.Requests.Failed),
            Number(report.Throughput.RequestsPerSecond), $"{Count(report.Tokens.Total)} {report.Tokens.Kind}", Number(report.Throughput.TokensPerSecond));
        console.Write(summary);

        var latency = new Table().Border(TableBorder.Rounded).AddColumns("ms", "n", "mean", "p50", "p90", "p95", "p99", "max");
        foreach (var column in latency.Columns.Skip(1)) column.RightAligned();
        AddLatency(latency, "latency", report.LatencyMs);
        if (report.TimeToFirstTokenMs is { } ttft) AddLatency(latency, "time to first token", ttft);
        if (report.InterTokenLatencyMs is { } itl) AddLatency(latency, "inter-token", itl);
        console.Write(latency);

        if (report.Requests.Errors.Count > 0)
        {
            var errors = new Table().Border(TableBorder.Rounded).AddColumns("Failed with", "Requests");
            foreach (var (status, count) in report.Requests.Errors) errors.AddRow(Markup.Escape(status), Count(count));
            console.Write(errors);
        }

        var cost = new Table().Border(TableBorder.Rounded).AddColumns("Instance (on demand, 100 % busy)", "$/hour", "$ per 1000 requests", "$ per 1M tokens");
        foreach (var row in report.Cost)
            cost.AddRow(Markup.Escape(row.Instance), row.PricePerHour.ToString("$#,0.00", CultureInfo.InvariantCulture), Money(row.PerThousandRequests), Money(row.PerMillionTokens));
        console.Write(cost);

        if (report.Machine.LoadAverage is { } load)
            console.MarkupLineInterpolated($"[grey]{report.Machine.Processors} processors, load average {string.Join(" ", load.Select(Number))} (1/5/15 min)[/]");
    }

    private static void AddLatency(Table table, string name, LatencySummary s) =>
        table.AddRow(name, Count(s.Count), Number(s.Mean), Number(s.P50), Number(s.P90), Number(s.P95), Number(s.P99), Number(s.Max));

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Number(double value) => value.ToString(value >= 100 ? "F0" : "0.##", CultureInfo.InvariantCulture);

    private static string Money(decimal? value) => value switch
    {
        null => "—",
        >= 1m => value.Value.ToString("$#,0.00", CultureInfo.InvariantCulture),
        >= 0.01m => value.Value.ToString("$0.0000", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("$0.000000", CultureInfo.InvariantCulture),
    };
}
