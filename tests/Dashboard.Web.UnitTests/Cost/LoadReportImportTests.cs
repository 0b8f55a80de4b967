using System.Text;
using Microsoft.AspNetCore.Components.Forms;
using MlStack.Dashboard.Components.Pages.Cost;
using MlStack.Dashboard.Services.Cost;

namespace MlStack.Dashboard.UnitTests.Cost;

/// <summary>The Cost page's import of a `./mlstack bench --json` report, with the load generator's golden report.</summary>
public sealed class LoadReportImportTests : DashboardComponentContext
{
    /// <summary>tests/LoadGenerator.UnitTests/Golden/load-report.json, which the load generator's serializer must write exactly.</summary>
    private static readonly string GoldenReport = Path.Combine(AppContext.BaseDirectory, "LoadGenerator", "load-report.json");

    [Fact]
    public async Task A_bench_report_gives_its_measured_rates_and_says_where_they_came_from()
    {
        await using var json = File.OpenRead(GoldenReport);

        var throughput = await LoadReportReader.ReadAsync(json, CancellationToken.None);

        Assert.Equal(13.661, throughput.RequestsPerSecond);
        Assert.Equal(437.158, throughput.TokensPerSecond);
        Assert.Equal("load generator: grpc-generate, closed loop of 4, 30 s on 2026-12-01", throughput.Source);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("{\"hello\": 1}", "not a load generator report")]
    [InlineData("{\"schemaVersion\": 2, \"throughput\": {\"requestsPerSecond\": 1, \"tokensPerSecond\": 1}}", "schema version 2")]
    [InlineData("{\"schemaVersion\": 1, \"throughput\": {\"requestsPerSecond\": -1, \"tokensPerSecond\": 1}}", "throughput.requestsPerSecond")]
    [InlineData("{\"schemaVersion\": 1, \"throughput\": {\"requestsPerSecond\": 1}}", "throughput.tokensPerSecond")]
    public async Task Anything_else_is_refused_with_what_is_wrong(string content, string expected)
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => LoadReportReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(content)), CancellationToken.None));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Importing_a_report_on_the_page_hands_its_throughput_to_the_cost_table()
    {
        MeasuredThroughput? imported = null;
        var cut = Render<LoadReportImport>(p => p.Add(c => c.Imported, (MeasuredThroughput t) => imported = t));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(File.ReadAllBytes(GoldenReport), "report.json", contentType: "application/json"));

        cut.WaitForAssertion(() => Assert.NotNull(imported));
        Assert.Equal(437.158, imported!.TokensPerSecond);
        Assert.Empty(cut.FindAll("[data-testid=report-problem]"));

        var panel = Render<CostCalculatorPanel>(p => p.Add(c => c.Throughput, imported).Add(c => c.UtilisationPercent, 100));
        // 13.661 requests/s on ml.g5.xlarge at $1.00 an hour: $1 / (13.661 * 3600) * 1000.
        Assert.Equal("$0.02", panel.Find("[data-instance='ml.g5.xlarge (A10G)'] [data-testid=per-thousand-requests]").TextContent);
        Assert.Contains("load generator: grpc-generate", panel.Find("[data-testid=throughput]").TextContent);
    }

    [Fact]
    public void A_file_that_is_not_a_report_is_named_in_a_warning_and_changes_nothing()
    {
        var calls = 0;
        var cut = Render<LoadReportImport>(p => p.Add(c => c.Imported, (MeasuredThroughput _) => calls++));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("{\"results\": []}", "other.json"));

        cut.WaitForAssertion(() => Assert.Contains("other.json: This JSON is not a load generator report", cut.Find("[data-testid=report-problem]").TextContent));
        Assert.Equal(0, calls);
    }
}
