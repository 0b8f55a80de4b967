using Microsoft.Playwright;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Stack;

/// <summary>A real browser (Debian's chromium, driven by Playwright) signs in to the web dashboard of the running stack.</summary>
[Collection(StackCollection.Name)]
public sealed class DashboardPageTests(StackFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] ListedServices = ["inference", "vectors", "chroma", "prometheus", "dashboard"];

    [Fact]
    public async Task ServicesPageListsEveryServiceAsHealthy()
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.PageAsync();
        var address = fixture.Stack.Endpoint("dashboard");

        // Sign-in is on by default: the page asks for the access key the AppHost generated.
        await page.GotoAsync(new Uri(address, "/services").ToString(), new() { Timeout = 60_000 });
        await page.Locator("[data-testid=access-key]").FillAsync(await fixture.Stack.ParameterAsync("dashboard-access-key"));
        await page.Locator("[data-testid=signin-submit]").ClickAsync();

        var table = page.Locator("table[data-testid=services]");
        await table.WaitForAsync(new() { Timeout = 30_000 });
        var rows = await page.Locator("tr[data-service]").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => [r.dataset.service, r.dataset.status])");
        output.WriteLine(string.Join(", ", rows.Select(r => $"{r[0]}={r[1]}")));

        Assert.Equal(ListedServices.Order(), rows.Select(r => r[0]).Order());
        Assert.All(rows, r => Assert.True(r[1] == "Healthy", $"{r[0]} is {r[1]}"));
        // Blazor's HeadOutlet sets the title in its own render, which may come after the table's.
        await page.WaitForFunctionAsync("() => document.title !== ''", null, new() { Timeout = 10_000 });
        Assert.Equal("MlStack · Services", await page.TitleAsync());
    }
}
