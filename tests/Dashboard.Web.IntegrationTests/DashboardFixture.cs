using MlStack.Testing;

namespace MlStack.Dashboard.IntegrationTests;

/// <summary>
/// The whole stack (sign-in on, as by default) and one signed-in Chromium, shared by the tests of the collection.
/// Each test opens its own page; pages share the browser's cookies and localStorage.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>Playwright's auto-waiting bound: generous, since the stack shares two cores with other work.</summary>
    public const float WaitMs = 60_000;

    private readonly StackFixture stack = new();
    private Chromium? chromium;

    public StackApp Stack => stack.Stack;

    public Uri Address { get; private set; } = default!;

    public string AccessKey { get; private set; } = "";

    public IBrowserContext Browser => chromium?.Context ?? throw new InvalidOperationException("The browser did not start.");

    /// <summary>Where each test saves its screenshot (MLSTACK_SCREENSHOTS, else screenshots/ beside the test assembly).</summary>
    public static string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("MLSTACK_SCREENSHOTS") is { Length: > 0 } configured
        ? configured
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(WaitMs);
        await stack.InitializeAsync();
        Address = Stack.Endpoint("dashboard");
        AccessKey = await Stack.ParameterAsync("dashboard-access-key");
        chromium = await Chromium.LaunchAsync(new() { ViewportSize = new() { Width = 1366, Height = 860 } });
        var page = await chromium.PageAsync();
        await SignInAsync(page, AccessKey);
        await page.CloseAsync();
    }

    public async Task<IPage> OpenAsync(string path, int width = 1366, int height = 860)
    {
        var page = await Browser.NewPageAsync();
        page.SetDefaultTimeout(WaitMs);
        await page.SetViewportSizeAsync(width, height);
        await page.GotoAsync(Url(path));
        await WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>The prerendered HTML comes first; input typed before the circuit is up would be lost.</summary>
    public static async Task WaitInteractiveAsync(IPage page) =>
        await Expect(page.Locator("main[data-interactive=true]")).ToBeVisibleAsync();

    public string Url(string path) => new Uri(Address, path).ToString();

    /// <summary>Signs in through the form, as a person would, and waits for the chat page.</summary>
    public async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync(Url("/signin"), new() { Timeout = WaitMs });
        await page.Locator("[data-testid=access-key]").FillAsync(key);
        await page.Locator("[data-testid=signin-submit]").ClickAsync();
        await Expect(page.Locator("[data-testid=chat-page]")).ToBeVisibleAsync();
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        // A panel still sliding in would be caught half-way: wait (2 s at most) for running CSS transitions to end.
        // Animations that loop (spinners) never end, so only transitions are awaited.
        await page.EvaluateAsync("""
            () => Promise.race([
                Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition).map(a => a.finished.catch(() => null))),
                new Promise(resolve => setTimeout(resolve, 2000)),
            ])
            """);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = false });
    }

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }
        await stack.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "Dashboard";
}
