using MlStack.Dashboard.Components.Pages.Cost;
using MlStack.Dashboard.Services.Cost;

namespace MlStack.Dashboard.UnitTests.Cost;

public sealed class CostCalculatorTests : DashboardComponentContext
{
    private static readonly MeasuredThroughput Measured = new(RequestsPerSecond: 2, TokensPerSecond: 500, "test");

    [Fact]
    public void Costs_follow_from_price_throughput_discount_and_utilisation()
    {
        var instance = new InstancePrice { Name = "ml.g5.xlarge", PricePerHour = 1.00m };

        var full = CostCalculator.Estimate(instance, Measured, spotDiscountPercent: 0, utilisationPercent: 100);
        // 2 req/s = 7200 requests an hour for $1: $0.138889 per 1000; 500 tok/s = 1.8M tokens an hour: $0.555556 per 1M.
        Assert.Equal(0.138889m, full.PerThousandRequests);
        Assert.Equal(0.555556m, full.PerMillionTokens);

        var spotHalfBusy = CostCalculator.Estimate(instance, Measured, spotDiscountPercent: 60, utilisationPercent: 50);
        Assert.Equal(0.40m, spotHalfBusy.EffectivePricePerHour);
        Assert.Equal(0.111111m, spotHalfBusy.PerThousandRequests);
        Assert.Equal(0.444444m, spotHalfBusy.PerMillionTokens);
    }

    [Fact]
    public void No_measured_throughput_has_no_price_and_bad_parameters_are_refused()
    {
        var instance = InstancePrice.Defaults()[0];
        Assert.Null(CostCalculator.Estimate(instance, new MeasuredThroughput(0, 0, "idle"), 0, 70).PerMillionTokens);
        Assert.Throws<ArgumentOutOfRangeException>(() => CostCalculator.Estimate(instance, Measured, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => CostCalculator.Estimate(instance, Measured, 101, 50));
    }

    [Fact]
    public void Cost_against_load_falls_as_utilisation_rises()
    {
        var points = CostCalculator.AgainstLoad(new InstancePrice { Name = "a", PricePerHour = 3.5m }, Measured, 0);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => i * 10.0), points.Select(p => p.UtilisationPercent));
        Assert.True(points.Zip(points.Skip(1)).All(pair => pair.First.PerMillionTokens > pair.Second.PerMillionTokens));
        Assert.Equal(10 * points[^1].PerMillionTokens!.Value, points[0].PerMillionTokens!.Value, 3);
    }

    [Fact]
    public void The_panel_prices_every_instance_of_the_default_table()
    {
        var cut = Render<CostCalculatorPanel>(p => p.Add(c => c.Throughput, Measured).Add(c => c.UtilisationPercent, 100));

        var rows = cut.FindAll("[data-testid=cost-row]");
        Assert.Equal(["ml.g5.xlarge (A10G)", "ml.g5.2xlarge (A10G)", "n1-standard-4 + T4", "n1-standard-8 + A100"],
            rows.Select(r => r.GetAttribute("data-instance")));
        Assert.Equal("$0.14", rows[0].QuerySelector("[data-testid=per-thousand-requests]")!.TextContent);
        Assert.Equal("$0.56", rows[0].QuerySelector("[data-testid=per-million-tokens]")!.TextContent);
        Assert.Equal("$1.94", rows[3].QuerySelector("[data-testid=per-million-tokens]")!.TextContent);
        Assert.Contains("2 requests/s and 500 tokens/s", cut.Find("[data-testid=throughput]").TextContent);
    }

    [Fact]
    public void Without_a_measurement_the_panel_asks_for_one()
    {
        var cut = Render<CostCalculatorPanel>();
        Assert.Contains("Measure the throughput first", cut.Find("[data-testid=cost-empty]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=cost-row]"));
    }
}
