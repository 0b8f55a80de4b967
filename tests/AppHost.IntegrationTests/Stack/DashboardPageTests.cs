using Microsoft.Playwright;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Stack;

/// <summary>A real browser (Debian's chromium, driven by Playwright) opens the web dashboard of the running stack.</summary>
[Collection(StackCollection.Name)]
public sealed class DashboardPageTests(StackFixture fixture, ITestOutputHelper output)
{
    private static readonly string[] ListedServices = ["inference", "vectors", "chroma", "prometheus", "dashboard"];

    [Fact]
    public async Task PageListsEveryServiceAsHealthy()
    {
        var userDataDirectory = Directory.CreateTempSubdirectory("mlstack-chromium-").FullName;
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(userDataDirectory, new()
            {
                ExecutablePath = "/usr/bin/chromium",
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                ],
                Timeout = 60_000,
            });
            var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            var address = fixture.Stack.Endpoint("dashboard");

            await page.GotoAsync(address.ToString(), new() { WaitUntil = WaitUntilState.NetworkIdle, Timeout = 60_000 });
            var table = page.Locator("table[data-testid=services]");
            await table.WaitForAsync(new() { Timeout = 30_000 });

            var rows = await page.Locator("tr[data-service]").EvaluateAllAsync<string[][]>(
                "rows => rows.map(r => [r.dataset.service, r.dataset.status])");
            output.WriteLine(string.Join(", ", rows.Select(r => $"{r[0]}={r[1]}")));

            Assert.Equal(ListedServices.Order(), rows.Select(r => r[0]).Order());
            Assert.All(rows, r => Assert.True(r[1] == "Healthy", $"{r[0]} is {r[1]}"));
            Assert.Equal("MlStack · Services", await page.TitleAsync());
        }
        finally
        {
            Directory.Delete(userDataDirectory, recursive: true);
        }
    }
}
