namespace MlStack.Dashboard.IntegrationTests;

[Collection(DashboardCollection.Name)]
public sealed class MetricsTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_metrics_page_charts_generation_traffic_from_prometheus()
    {
        // Traffic first: a few answers through the chat.
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.UseSettingsAsync(maxNewTokens: 64, ignoreEndOfSequence: true);
        await chat.NewChatAsync();
        for (var i = 0; i < 3; i++)
        {
            await chat.SendAsync($"What is {i} plus {i}?");
            await chat.WaitForAnswerAsync();
        }
        await chat.Page.CloseAsync();

        // Prometheus scrapes every 5 s and a rate needs two samples; the page refreshes itself every 10 s.
        var page = await fixture.OpenAsync("/monitoring");
        var tokens = page.Locator("[data-testid=metric-chart][data-panel=tokens]");
        await ExpectChartWithDataAsync(tokens, TimeSpan.FromSeconds(90));
        await ExpectChartWithDataAsync(page.Locator("[data-testid=metric-chart][data-panel=ttft]"), TimeSpan.FromSeconds(30));

        await DashboardFixture.ScreenshotAsync(page, "metrics");

        await page.Locator("[data-testid=range-selector]").GetByText("1 h").ClickAsync();
        await ExpectChartWithDataAsync(tokens, TimeSpan.FromSeconds(30));
        await page.CloseAsync();
    }

    private static async Task ExpectChartWithDataAsync(ILocator panel, TimeSpan timeout)
    {
        await Expect(panel).Not.ToHaveAttributeAsync("data-points", "0", new() { Timeout = (float)timeout.TotalMilliseconds });
        await Expect(panel.Locator(".metric-empty")).ToHaveCountAsync(0);
        // A line of at least two points (a flat line has no height, so "visible" is the wrong check).
        await Expect(panel.Locator("svg path.mud-chart-serie").First).ToHaveAttributeAsync("d", new System.Text.RegularExpressions.Regex(@"^M [\d.]+ [\d.]+ L "));
    }
}
