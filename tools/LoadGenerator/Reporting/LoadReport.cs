namespace MlStack.LoadGenerator.Reporting;

/// <summary>
/// What a run measured, as printed and as written by --json (camelCase). The dashboard's Cost page reads
/// <c>throughput</c> and <c>target</c> from it (Dashboard.Web/Services/Cost/LoadReportReader.cs); keep those stable.
/// </summary>
public sealed record LoadReport
{
    /// <summary>The JSON shape's version; bump it when a field changes meaning.</summary>
    public int SchemaVersion { get; init; } = 1;
    public required string Target { get; init; }
    public required string Url { get; init; }
    public string? Model { get; init; }
    public required RunShape Run { get; init; }
    public required RequestCounts Requests { get; init; }
    public required Throughput Throughput { get; init; }
    public required LatencySummary LatencyMs { get; init; }
    /// <summary>Streams only: from the intended start to the first token.</summary>
    public LatencySummary? TimeToFirstTokenMs { get; init; }
    /// <summary>Streams only: the gaps between consecutive tokens.</summary>
    public LatencySummary? InterTokenLatencyMs { get; init; }
    public required TokenCounts Tokens { get; init; }
    public required IReadOnlyList<CostRow> Cost { get; init; }
    public required MachineLoad Machine { get; init; }
}

/// <param name="Mode">"closed" (Concurrency workers) or "open" (RatePerSecond arrivals, at most Concurrency in flight).</param>
public sealed record RunShape(string Mode, int Concurrency, double? RatePerSecond, long? RequestLimit, double? DurationLimitSeconds,
    double WarmupSeconds, double ElapsedSeconds, DateTimeOffset StartedAt);

/// <param name="Errors">Failed requests by status ("gRPC Unavailable", "HTTP 503", "timeout"...); Sent = Ok + their sum.</param>
public sealed record RequestCounts(long Sent, long Ok, long Failed, IReadOnlyDictionary<string, long> Errors);

/// <summary>Successful requests and their tokens per second of the measured phase.</summary>
public sealed record Throughput(double RequestsPerSecond, double TokensPerSecond);

public sealed record LatencySummary(long Count, double Mean, double P50, double P90, double P95, double P99, double Max);

/// <param name="Kind">"generated" (generation), "input" (tokens the embedding model read) or "none" (the door reports none).</param>
public sealed record TokenCounts(string Kind, long Total);

/// <summary>One instance type at 100 % utilisation, priced with the dashboard's formula.</summary>
public sealed record CostRow(string Instance, decimal PricePerHour, decimal? PerThousandRequests, decimal? PerMillionTokens);

/// <summary>The machine that ran the tool: a shared or busy one measures less than it could.</summary>
public sealed record MachineLoad(string Host, int Processors, double[]? LoadAverage);
