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

        await ExpectAxesEndNowAsync(page, TimeSpan.FromMinutes(5));

        await page.Locator("[data-testid=range-selector]").GetByText("1 h").ClickAsync();
        await ExpectAxesEndNowAsync(page, TimeSpan.FromHours(1));
        await ExpectChartWithDataAsync(ttft);
        await DashboardFixture.ScreenshotAsync(page, "metrics-1h");
        await page.CloseAsync();
    }

    /// <summary>
    /// Every panel covers the same span, ending now (within a refresh), and each drawn chart's time axis ends there:
    /// its last label is no later than now and no earlier than one label spacing before it.
    /// </summary>
    private static async Task ExpectAxesEndNowAsync(IPage page, TimeSpan duration)
    {
        await Expect(page.Locator($"[data-testid=metric-chart][data-end]:not([data-end=''])").First).ToBeAttachedAsync();
        // A range just chosen redraws on the page's next render: until then the panels still show the last span.
        await page.WaitForFunctionAsync("""
            seconds => [...document.querySelectorAll('[data-testid=metric-chart]')].every(c => Number(c.dataset.end) - Number(c.dataset.start) === seconds)
            """, (long)duration.TotalSeconds);
        var spans = await page.EvaluateAsync<long[][]>("""
            () => [...document.querySelectorAll('[data-testid=metric-chart]')].map(c => [Number(c.dataset.start), Number(c.dataset.end)])
            """);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Single(spans.Select(s => (s[0], s[1])).Distinct());
        Assert.InRange(spans[0][1], now - 25, now + 2);
        Assert.Equal((long)duration.TotalSeconds, spans[0][1] - spans[0][0]);

        var lastLabels = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('[data-testid=metric-chart] svg')].filter(svg => svg.querySelector('text')).map(svg => {
                const labels = [...svg.querySelectorAll('text')].map(t => t.textContent.trim()).filter(t => /^\d\d:\d\d(:\d\d)?$/.test(t));
                return labels.length ? labels[labels.length - 1] : '';
            })
            """);
        Assert.NotEmpty(lastLabels);
        var spacing = duration > TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(10) : TimeSpan.FromMinutes(1);
        var localNow = DateTime.Now;
        foreach (var label in lastLabels)
        {
            Assert.NotEqual("", label);
            var time = localNow.Date + TimeSpan.Parse(label.Length == 5 ? label + ":00" : label, System.Globalization.CultureInfo.InvariantCulture);
            if (time > localNow + TimeSpan.FromHours(12)) time -= TimeSpan.FromDays(1); // just after midnight
            Assert.True(time <= localNow + TimeSpan.FromSeconds(5), $"the axis runs into the future: last label {label} at {localNow:HH:mm:ss}");
            Assert.True(time >= localNow - spacing - TimeSpan.FromSeconds(30), $"the axis ends before now: last label {label} at {localNow:HH:mm:ss}");
        }
    }

    private static async Task ExpectChartWithDataAsync(ILocator panel)
    {
        await Expect(panel).Not.ToHaveAttributeAsync("data-points", "0");
        await Expect(panel.Locator(".metric-empty")).ToHaveCountAsync(0);
        // A line of at least two points (a flat line has no height, so "visible" is the wrong check).
        await Expect(panel.Locator("svg path.mud-chart-serie").First).ToHaveAttributeAsync("d", new System.Text.RegularExpressions.Regex(@"^M [\d.]+ [\d.]+ L "));
    }
}
