using System.Globalization;
using HdrHistogram;
using MlStack.Dashboard.Services.Cost;
using MlStack.LoadGenerator.Cli;
using MlStack.LoadGenerator.Load;

namespace MlStack.LoadGenerator.Reporting;

/// <summary>Turns what a run recorded into its report: rates, percentiles and the cost of the measured rate.</summary>
public static class ReportBuilder
{
    public static LoadReport Build(BenchOptions options, string tokenKind, RunRecorder recorder, TimeSpan elapsed, DateTimeOffset startedAt,
        MachineLoad machine)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-6);
        var throughput = new Throughput(Round(recorder.Ok / seconds), Round(recorder.Tokens / seconds));
        return new LoadReport
        {
            Target = options.Target.Name(),
            Url = options.Url.ToString(),
            Model = options.Model,
            Run = new RunShape(options.Mode == LoadMode.Closed ? "closed" : "open", options.Concurrency,
                options.Mode == LoadMode.Open ? options.Rate : null, options.Requests, options.Duration?.TotalSeconds,
                options.Warmup.TotalSeconds, Round(elapsed.TotalSeconds), startedAt),
            Requests = new RequestCounts(recorder.Sent, recorder.Ok, recorder.Failed,
                recorder.Errors.OrderByDescending(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal).ToDictionary()),
            Throughput = throughput,
            LatencyMs = Summarise(recorder.Latency),
            TimeToFirstTokenMs = recorder.TimeToFirstToken.TotalCount > 0 ? Summarise(recorder.TimeToFirstToken) : null,
            InterTokenLatencyMs = recorder.InterTokenLatency.TotalCount > 0 ? Summarise(recorder.InterTokenLatency) : null,
            Tokens = new TokenCounts(tokenKind, recorder.Tokens),
            Cost = Price(options.Prices, throughput, options.Target.Name()),
            Machine = machine,
        };
    }

    /// <summary>Milliseconds from a histogram of microseconds; empty when nothing was recorded.</summary>
    public static LatencySummary Summarise(HistogramBase micros)
    {
        if (micros.TotalCount == 0) return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
        static double Ms(double us) => Round(us / 1000.0);
        return new LatencySummary(micros.TotalCount, Ms(micros.GetMean()),
            Ms(micros.GetValueAtPercentile(50)), Ms(micros.GetValueAtPercentile(90)), Ms(micros.GetValueAtPercentile(95)),
            Ms(micros.GetValueAtPercentile(99)), Ms(micros.GetMaxValue()));
    }

    /// <summary>The dashboard's cost formula at full utilisation and on-demand prices: what one busy instance costs.</summary>
    public static IReadOnlyList<CostRow> Price(IReadOnlyList<InstancePrice> prices, Throughput throughput, string source) =>
        [.. prices.Select(price =>
        {
            var estimate = CostCalculator.Estimate(price, new MeasuredThroughput(throughput.RequestsPerSecond, throughput.TokensPerSecond, source),
                spotDiscountPercent: 0, utilisationPercent: 100);
            return new CostRow(price.Name, price.PricePerHour, estimate.PerThousandRequests, estimate.PerMillionTokens);
        })];

    /// <summary>This machine's name, cores and 1/5/15-minute load average (Linux /proc/loadavg; null elsewhere).</summary>
    public static MachineLoad ReadMachine()
    {
        double[]? load = null;
        try
        {
            load = [.. File.ReadAllText("/proc/loadavg").Split(' ').Take(3).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return new MachineLoad(Environment.MachineName, Environment.ProcessorCount, load);
    }

    private static double Round(double value) => Math.Round(value, 3);
}
