using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

namespace MlStack.Dashboard.IntegrationTests;

[Collection(DashboardCollection.Name)]
public sealed class LookAndFeelTests(DashboardFixture fixture, ITestOutputHelper output)
{
    public static readonly TheoryData<string, string> Pages = new()
    {
        { "/", "chat-page" }, { "/documents", "documents" }, { "/monitoring", "metrics" }, { "/compare", "compare" },
        { "/cost", "cost" }, { "/services", "services" },
    };

    [Fact]
    public async Task The_dark_theme_is_remembered_across_a_reload()
    {
        var page = await fixture.OpenAsync("/monitoring");
        await Expect(page.Locator("[data-testid=metric-chart]").First).ToBeVisibleAsync();
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        await Expect(page.Locator("body")).ToHaveClassAsync("theme-dark");
        try
        {
            await page.ReloadAsync();
            await Expect(page.Locator("body")).ToHaveClassAsync("theme-dark");
            var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
            output.WriteLine(background);
            Assert.Equal("rgb(23, 26, 33)", background);
            await Expect(page.Locator("[data-testid=metric-chart]").First).ToBeVisibleAsync();
            // After a reload the cards show before the charts draw their lines; a chart that has points must draw them
            // in the dark theme too, and the screenshot shows them drawn.
            var charted = page.Locator("[data-testid=metric-chart]:not([data-points='0'])");
            if (await charted.CountAsync() > 0)
                await Expect(charted.First.Locator("svg path.mud-chart-serie").First).ToBeAttachedAsync();
            await DashboardFixture.ScreenshotAsync(page, "metrics-dark");
            await page.GotoAsync(fixture.Url("/"));
            await new ChatPage(page).WaitReadyAsync();
            await DashboardFixture.ScreenshotAsync(page, "chat-dark");
        }
        finally
        {
            await page.EvaluateAsync("() => mlstack.setTheme('light')");
            await page.CloseAsync();
        }
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_fits_a_390_px_phone_without_sideways_scrolling(string path, string name)
    {
        var page = await fixture.OpenAsync(path, width: 390, height: 844);
        await Expect(page.Locator("h1").First).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"{path} is {width} px wide at a 390 px viewport");
        if (path == "/")
        {
            await new ChatPage(page).WaitReadyAsync();
            await Expect(page.Locator("#chat-message")).ToBeVisibleAsync();
            await Expect(page.Locator(".chat-sidebar")).ToBeHiddenAsync();
        }
        await DashboardFixture.ScreenshotAsync(page, $"phone-{name}");
        await page.CloseAsync();
    }

    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task No_page_has_serious_or_critical_accessibility_violations(string theme)
    {
        var problems = new List<string>();
        var page = await fixture.Browser.NewPageAsync();
        page.SetDefaultTimeout(DashboardFixture.WaitMs);
        await page.GotoAsync(fixture.Url("/services"));
        await page.EvaluateAsync("t => mlstack.setTheme(t)", theme);
        try
        {
            foreach (var path in Pages.Select(p => (string)p[0]))
            {
                await page.GotoAsync(fixture.Url(path));
                await DashboardFixture.WaitInteractiveAsync(page);
                await Expect(page.Locator("h1").First).ToBeVisibleAsync();
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                var result = await page.RunAxe();
                foreach (var violation in result.Violations.Where(v => v.Impact is "serious" or "critical"))
                {
                    problems.Add($"{path} ({theme}): {violation.Id} [{violation.Impact}] {violation.Help}: " +
                        string.Join(" | ", violation.Nodes.Take(3).Select(n => n.Html)));
                }
            }
        }
        finally
        {
            await page.EvaluateAsync("() => mlstack.setTheme('light')");
            await page.CloseAsync();
        }
        output.WriteLine(string.Join("\n", problems));
        Assert.Empty(problems);
    }
}
