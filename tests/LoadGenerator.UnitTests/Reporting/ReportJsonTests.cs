using System.Text.Json;
using MlStack.LoadGenerator.Reporting;

namespace MlStack.LoadGenerator.UnitTests.Reporting;

public sealed class ReportJsonTests
{
    /// <summary>The golden report: the shape --json writes, and the file the dashboard's Cost page tests import.</summary>
    public static readonly string GoldenPath = Path.Combine(AppContext.BaseDirectory, "Golden", "load-report.json");

    public static LoadReport Sample() => new()
    {
        Target = "grpc-generate",
        Url = "http://127.0.0.1:5181/",
        Model = "tiny-llama",
        Run = new RunShape("closed", 4, null, null, 30, 2, 30.012, new DateTimeOffset(2026, 12, 1, 15, 0, 0, TimeSpan.Zero)),
        Requests = new RequestCounts(412, 410, 2, new Dictionary<string, long> { ["gRPC ResourceExhausted"] = 2 }),
        Throughput = new Throughput(13.661, 437.158),
        LatencyMs = new LatencySummary(412, 291.2, 280.5, 350.1, 371.3, 402.9, 455),
        TimeToFirstTokenMs = new LatencySummary(410, 21.4, 19.8, 30.2, 33.1, 41, 52.7),
        InterTokenLatencyMs = new LatencySummary(12710, 8.7, 8.1, 11.2, 12.9, 17.5, 40.3),
        Tokens = new TokenCounts("generated", 13120),
        Cost = [new CostRow("ml.g5.xlarge (A10G)", 1.00m, 0.020333m, 0.635417m)],
        Machine = new MachineLoad("build-host", 2, [3.1, 2.5, 2.2]),
    };

    [Fact]
    public void The_json_report_matches_the_golden_file()
    {
        var expected = File.ReadAllText(GoldenPath).ReplaceLineEndings("\n").TrimEnd();
        Assert.Equal(expected, ReportJson.Serialize(Sample()).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_json_names_every_field_in_camel_case_with_nulls_written()
    {
        using var json = JsonDocument.Parse(ReportJson.Serialize(Sample() with { TimeToFirstTokenMs = null, Model = null }));
        var root = json.RootElement;
        Assert.Equal(
            ["schemaVersion", "target", "url", "model", "run", "requests", "throughput", "latencyMs", "timeToFirstTokenMs", "interTokenLatencyMs", "tokens", "cost", "machine"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("timeToFirstTokenMs").ValueKind);
        Assert.Equal(["count", "mean", "p50", "p90", "p95", "p99", "max"], root.GetProperty("latencyMs").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["sent", "ok", "failed", "errors"], root.GetProperty("requests").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, root.GetProperty("requests").GetProperty("errors").GetProperty("gRPC ResourceExhausted").GetInt64());
        Assert.Equal(["requestsPerSecond", "tokensPerSecond"], root.GetProperty("throughput").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["instance", "pricePerHour", "perThousandRequests", "perMillionTokens"], root.GetProperty("cost")[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task The_report_is_written_where_asked_creating_folders()
    {
        var folder = Directory.CreateTempSubdirectory("mlstack-bench-json-").FullName;
        try
        {
            var path = Path.Combine(folder, "nested", "report.json");
            await ReportJson.WriteAsync(Sample(), path, CancellationToken.None);
            var back = JsonSerializer.Deserialize<LoadReport>(await File.ReadAllTextAsync(path), ReportJson.Options);
            Assert.Equal(Sample().Throughput, back!.Throughput);
            Assert.Equal(Sample().LatencyMs, back.LatencyMs);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
