using MlStack.Testing;

namespace MlStack.Dashboard.IntegrationTests;

[Collection(DashboardCollection.Name)]
public sealed class MetricsTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_metrics_page_charts_generation_traffic_from_prometheus()
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.UseSettingsAsync(maxNewTokens: 64, ignoreEndOfSequence: true);
        await chat.NewChatAsync();
        var page = await fixture.OpenAsync("/monitoring");
        var ttft = page.Locator("[data-testid=metric-chart][data-panel=ttft]");

        // Traffic until the page (refreshing itself every 10 s) charts it: Prometheus scrapes every 5 s, and a rate
        // or a quantile needs the series to grow between two scrapes.
        var round = 0;
        var points = await Polling.UntilAsync(async () =>
        {
            await chat.SendAsync($"What is {round} plus {round++}?");
            await chat.WaitForAnswerAsync();
            return await ttft.GetAttributeAsync("data-points");
        }, p => p is not (null or "0"), TimeSpan.FromSeconds(150), TimeSpan.FromSeconds(2));
        Assert.NotEqual("0", points);
        await chat.Page.CloseAsync();

        await ExpectChartWithDataAsync(ttft);
        await ExpectChartWithDataAsync(page.Locator("[data-testid=metric-chart][data-panel=tokens]"));
        await ExpectChartWithDataAsync(page.Locator("[data-testid=metric-chart][data-panel=requests]"));
        await DashboardFixture.ScreenshotAsync(page, "metrics");

        await page.Locator("[data-testid=range-selector]").GetByText("1 h").ClickAsync();
        await ExpectChartWithDataAsync(ttft);
        await page.CloseAsync();
    }

    private static async Task ExpectChartWithDataAsync(ILocator panel)
    {
        await Expect(panel).Not.ToHaveAttributeAsync("data-points", "0");
        await Expect(panel.Locator(".metric-empty")).ToHaveCountAsync(0);
        // A line of at least two points (a flat line has no height, so "visible" is the wrong check).
        await Expect(panel.Locator("svg path.mud-chart-serie").First).ToHaveAttributeAsync("d", new System.Text.RegularExpressions.Regex(@"^M [\d.]+ [\d.]+ L "));
    }
}
