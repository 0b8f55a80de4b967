using Microsoft.Playwright;

namespace MlStack.Testing;

/// <summary>
/// Debian's Chromium driven by Playwright, headless, with a fresh profile that is deleted on dispose. Playwright
/// never downloads a browser here: the executable is /usr/bin/chromium, installed by ./mlstack setup.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright playwright;
    private readonly string profile;

    private Chromium(IPlaywright playwright, IBrowserContext context, string profile)
    {
        this.playwright = playwright;
        Context = context;
        this.profile = profile;
    }

    /// <summary>The persistent context of the fresh profile: its cookies and localStorage are this browser's own.</summary>
    public IBrowserContext Context { get; }

    public static async Task<Chromium> LaunchAsync(BrowserTypeLaunchPersistentContextOptions? options = null)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var profile = Directory.CreateTempSubdirectory("mlstack-chromium-").FullName;
        var playwright = await Playwright.CreateAsync();
        try
        {
            options ??= new BrowserTypeLaunchPersistentContextOptions();
            options.ExecutablePath = ExecutablePath;
            options.Headless = true;
            options.Args = [.. Flags, .. options.Args ?? []];
            options.Timeout ??= 60_000;
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, options);
            return new Chromium(playwright, context, profile);
        }
        catch
        {
            playwright.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }

    public async Task<IPage> PageAsync() => Context.Pages.Count > 0 ? Context.Pages[0] : await Context.NewPageAsync();

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        playwright.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be flushing its profile; the folder is in the temporary directory.
        }
    }
}
