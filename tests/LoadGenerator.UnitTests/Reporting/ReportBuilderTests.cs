using System.Diagnostics;
using HdrHistogram;
using MlStack.Dashboard.Services.Cost;
using MlStack.LoadGenerator.Cli;
using MlStack.LoadGenerator.Load;
using MlStack.LoadGenerator.Reporting;
using MlStack.LoadGenerator.Targets;

namespace MlStack.LoadGenerator.UnitTests.Reporting;

public sealed class ReportBuilderTests
{
    private static readonly MachineLoad Machine = new("test", 2, [1.5, 1.0, 0.5]);

    private static BenchOptions Options(params InstancePrice[] prices) => new()
    {
        Target = TargetKind.GrpcGenerate,
        Url = new Uri("http://127.0.0.1:5181"),
        Text = "x",
        Mode = LoadMode.Closed,
        Concurrency = 2,
        Requests = 10,
        Prices = prices.Length > 0 ? prices : InstancePrice.Defaults(),
    };

    [Fact]
    public void Rates_are_successes_and_their_tokens_per_second_of_the_measured_phase()
    {
        var recorder = new RunRecorder();
        for (var i = 0; i < 10; i++)
        {
            recorder.Started();
            recorder.Completed(0, Stopwatch.Frequency / 100, i < 8 ? RequestOutcome.Success(25) : RequestOutcome.Failure("HTTP 503"));
        }

        var report = ReportBuilder.Build(Options(), "generated", recorder, TimeSpan.FromSeconds(4), DateTimeOffset.UnixEpoch, Machine);

        Assert.Equal(new RequestCounts(10, 8, 2, new Dictionary<string, long> { ["HTTP 503"] = 2 }).Errors, report.Requests.Errors);
        Assert.Equal((10L, 8L, 2L), (report.Requests.Sent, report.Requests.Ok, report.Requests.Failed));
        Assert.Equal(2, report.Throughput.RequestsPerSecond);
        Assert.Equal(50, report.Throughput.TokensPerSecond);
        Assert.Equal(new TokenCounts("generated", 200), report.Tokens);
        Assert.Null(report.TimeToFirstTokenMs);
        Assert.Equal("grpc-generate", report.Target);
        Assert.Equal("closed", report.Run.Mode);
        Assert.Equal(4, report.Run.ElapsedSeconds);
    }

    [Fact]
    public void Percentiles_come_from_the_histogram_in_milliseconds_and_are_ordered()
    {
        var micros = new LongHistogram(3_600_000_000, 3);
        for (var ms = 1; ms <= 1000; ms++) micros.RecordValue(ms * 1000L);

        var summary = ReportBuilder.Summarise(micros);

        Assert.Equal(1000, summary.Count);
        Assert.InRange(summary.P50, 499.5, 500.5);
        Assert.InRange(summary.P90, 899.5, 900.5);
        Assert.InRange(summary.P95, 949.5, 950.5);
        Assert.InRange(summary.P99, 989.5, 990.5);
        Assert.InRange(summary.Max, 999.5, 1000.5);
        Assert.InRange(summary.Mean, 500, 501);
        Assert.True(summary.P50 <= summary.P90 && summary.P90 <= summary.P95 && summary.P95 <= summary.P99 && summary.P99 <= summary.Max);
        Assert.Equal(new LatencySummary(0, 0, 0, 0, 0, 0, 0), ReportBuilder.Summarise(new LongHistogram(1000, 3)));
    }

    [Fact]
    public void Cost_is_the_dashboards_formula_at_full_utilisation()
    {
        // 2 requests/s = 7200 an hour for $1: $0.138889 per 1000; 500 tokens/s = 1.8M an hour: $0.555556 per 1M (as on the Cost page).
        var rows = ReportBuilder.Price([new InstancePrice { Name = "a", PricePerHour = 1m }, new InstancePrice { Name = "b", PricePerHour = 3.5m }],
            new Throughput(2, 500), "test");
        Assert.Equal(new CostRow("a", 1m, 0.138889m, 0.555556m), rows[0]);
        Assert.Equal(new CostRow("b", 3.5m, 0.486111m, 1.944444m), rows[1]);

        var noTokens = Assert.Single(ReportBuilder.Price([new InstancePrice { Name = "a", PricePerHour = 1m }], new Throughput(2, 0), "test"));
        Assert.Null(noTokens.PerMillionTokens);
    }

    [Fact]
    public void The_default_price_table_is_the_dashboards()
    {
        var report = ReportBuilder.Build(Options(), "none", new RunRecorder(), TimeSpan.FromSeconds(1), DateTimeOffset.UnixEpoch, Machine);
        Assert.Equal(InstancePrice.Defaults().Select(p => (p.Name, p.PricePerHour)), report.Cost.Select(c => (c.Instance, c.PricePerHour)));
    }
}
