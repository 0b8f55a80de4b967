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
        var page = await fixture.OpenAsync("/metrics");
        var tokens = page.Locator("[data-testid=metric-chart][data-panel=tokens]");
        await Expect(tokens.Locator("svg path").First).ToBeVisibleAsync(new() { Timeout = 90_000 });
        Assert.True(int.Parse(await tokens.GetAttributeAsync("data-points") ?? "0") > 0);
        await Expect(page.Locator("[data-testid=metric-chart][data-panel=ttft] svg path").First).ToBeVisibleAsync();

        await page.Locator("[data-testid=range-selector]").GetByText("1 h").ClickAsync();
        await Expect(tokens.Locator("svg path").First).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "metrics");
        await page.CloseAsync();
    }
}
