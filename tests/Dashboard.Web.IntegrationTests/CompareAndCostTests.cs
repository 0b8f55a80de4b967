namespace MlStack.Dashboard.IntegrationTests;

[Collection(DashboardCollection.Name)]
public sealed class CompareAndCostTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_vote_changes_the_tally_which_survives_a_reload_and_exports_as_csv()
    {
        var page = await fixture.OpenAsync("/compare");
        await Expect(page.Locator("[data-testid=compare-form][data-ready=true]")).ToBeVisibleAsync();
        var row = page.Locator("[data-testid=tally-row]").First;
        var before = await row.CountAsync() == 0 ? 0 : int.Parse(await row.GetAttributeAsync("data-total") ?? "0");

        await page.Locator("[data-testid=compare-button]").ClickAsync();
        // Both answers stream side by side, each with its own figures.
        await Expect(page.Locator("[data-testid=answer-a] [data-testid=stats]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=answer-b] [data-testid=stats]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-testid=answer-a] [data-testid=stats]")).ToContainTextAsync("tok/s");
        await page.Locator("[data-testid=vote-a]").ClickAsync();
        await Expect(row).ToHaveAttributeAsync("data-total", (before + 1).ToString());
        await DashboardFixture.ScreenshotAsync(page, "compare");

        await page.ReloadAsync();
        await Expect(page.Locator("[data-testid=tally-row]").First).ToHaveAttributeAsync("data-total", (before + 1).ToString());

        var csv = await page.APIRequest.GetAsync(fixture.Url("/compare/tally.csv"));
        var text = await csv.TextAsync();
        output.WriteLine(text);
        Assert.StartsWith("model_a,model_b,a_wins,b_wins,ties,total", text);
        Assert.Contains("tiny-gpt (v1)", text);
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_cost_page_prices_a_load_run()
    {
        var page = await fixture.OpenAsync("/cost");
        await page.GetByText("A short load run from here").ClickAsync();
        await page.Locator("input[data-testid=load-seconds]").FillAsync("5");
        await page.Locator("[data-testid=start-load]").ClickAsync();

        var figure = page.Locator("[data-testid=cost-row]").First.Locator("[data-testid=per-million-tokens]");
        await Expect(figure).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\$[\d,.]+$"), new() { Timeout = 90_000 });
        await Expect(page.Locator("[data-testid=throughput]")).ToContainTextAsync("load run");
        output.WriteLine(await page.Locator("[data-testid=cost-table]").InnerTextAsync());

        // A spot discount lowers every figure.
        var full = await figure.InnerTextAsync();
        await page.Locator("input[data-testid=discount]").FillAsync("50");
        await page.Locator("input[data-testid=discount]").PressAsync("Tab");
        await Expect(figure).Not.ToHaveTextAsync(full);
        await Expect(page.Locator("[data-testid=cost-chart] svg path.mud-chart-serie").First).ToHaveAttributeAsync("d", new System.Text.RegularExpressions.Regex(@"^M [\d.]+ [\d.]+ L "));
        await DashboardFixture.ScreenshotAsync(page, "cost");
        await page.CloseAsync();
    }
}
