using MlStack.Testing;

namespace MlStack.Dashboard.IntegrationTests;

[Collection(DashboardCollection.Name)]
public sealed class SignInTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Pages_and_the_export_require_the_access_key_when_sign_in_is_on()
    {
        await using var stranger = await Chromium.LaunchAsync();
        var page = await stranger.PageAsync();
        page.SetDefaultTimeout(DashboardFixture.WaitMs);

        await page.GotoAsync(fixture.Url("/monitoring"));
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin\\?ReturnUrl=%2Fmonitoring$"));
        var export = await page.APIRequest.GetAsync(fixture.Url("/compare/tally.csv"), new() { MaxRedirects = 0 });
        Assert.Equal(302, export.Status);
        // Probes and Prometheus's scrape stay open.
        var metrics = await page.APIRequest.GetAsync(fixture.Url("/metrics"), new() { MaxRedirects = 0 });
        Assert.Equal(200, metrics.Status);
        Assert.Contains("# TYPE ", await metrics.TextAsync());
        Assert.Equal(200, (await page.APIRequest.GetAsync(fixture.Url("/health"), new() { MaxRedirects = 0 })).Status);

        await page.Locator("[data-testid=access-key]").FillAsync("not-the-key-" + Guid.NewGuid());
        await page.Locator("[data-testid=signin-submit]").ClickAsync();
        await Expect(page.Locator("[data-testid=signin-error]")).ToBeVisibleAsync();
        await DashboardFixture.ScreenshotAsync(page, "signin");

        await page.Locator("[data-testid=access-key]").FillAsync(fixture.AccessKey);
        await page.Locator("[data-testid=signin-submit]").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/monitoring$"));
        await Expect(page.Locator("[data-testid=metric-chart]").First).ToBeVisibleAsync();
    }
}
