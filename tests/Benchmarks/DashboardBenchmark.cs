using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// The web dashboard in Debian's Chromium against the whole stack (Aspire, processes mode):
/// 1. for the same chats, the first token as the browser shows it (Enter pressed to first text painted into the
///    DOM) against the server's own TTFT from the same answer's summary: the overhead the UI adds;
/// 2. a cold load of the chat page in a fresh browser profile until it is interactive (circuit up, models listed).
///   dotnet run -c Release --project tests/Benchmarks -- dashboard [--chats 30] [--loads 5]
/// </summary>
public static partial class DashboardBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var chats = Number(args, "--chats", 30);
        var loads = Number(args, "--loads", 5);

        Console.WriteLine("Starting the stack (processes mode)...");
        await using var stack = await StackApp.StartAsync(null, "Dashboard:RequireSignIn=false");
        var address = stack.Endpoint("dashboard");
        try
        {
            var firstLoadMs = await ColdLoadAsync(address);
            var coldLoads = new List<double>();
            for (var i = 0; i < loads; i++)
            {
                coldLoads.Add(await ColdLoadAsync(address));
            }
            var (browser, server) = await FirstTokensAsync(address, chats);
            var overhead = browser.Zip(server, (b, s) => b - s).ToList();

            Console.WriteLine();
            Console.WriteLine($"| measure | p50 ms | p90 ms | n |");
            Console.WriteLine($"| --- | ---: | ---: | ---: |");
            Row("first token, browser (Enter to text in the DOM)", browser);
            Row("first token, server TTFT (same answers)", server);
            Row("UI overhead (browser - server, per chat)", overhead);
            Console.WriteLine($"| cold load to interactive chat, first after start | {firstLoadMs:F0} | | 1 |");
            Row("cold load to interactive chat, fresh profile", coldLoads);
            return 0;
        }
        finally
        {
            await stack.DisposeAsync();
            await LocalProcesses.WaitUntilNoneMentionAsync(stack.StateDirectory, TimeSpan.FromSeconds(30));
            stack.DeleteState();
        }
    }

    /// <summary>A fresh profile (no cache, no cookies) opens the chat page; timed from navigation start to interactive.</summary>
    private static async Task<double> ColdLoadAsync(Uri address)
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.PageAsync();
        await page.GotoAsync(address.ToString(), new() { WaitUntil = WaitUntilState.Commit });
        await page.Locator("[data-testid=chat-page][data-ready=true]").WaitForAsync(new() { Timeout = 60_000 });
        return await page.EvaluateAsync<double>("() => performance.now()");
    }

    private static async Task<(List<double> Browser, List<double> Server)> FirstTokensAsync(Uri address, int chats)
    {
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.PageAsync();
        await page.GotoAsync(address.ToString());
        await page.EvaluateAsync("s => localStorage.setItem('mlstack.chat.settings', s)", JsonSerializer.Serialize(new
        {
            backendId = "mlstack/tiny-gpt", temperature = 0.0, maxNewTokens = 24, systemPrompt = "", ignoreEndOfSequence = true,
        }));
        var browser = new List<double>();
        var server = new List<double>();
        await page.ReloadAsync();
        await page.Locator("[data-testid=chat-page][data-ready=true]").WaitForAsync();
        for (var i = 0; i <= chats; i++)
        {
            // A new chat each time, so every request has the same prompt and no history.
            await page.Locator("[data-testid=new-chat]").ClickAsync();
            await page.Locator("[data-testid=suggestion]").First.WaitForAsync();
            await page.Locator("#chat-message").FillAsync("What does a cat do?");
            // The page stamps the Enter key and the first text of the answer with the same clock.
            await page.EvaluateAsync("""
                () => {
                    window.firstToken = null;
                    const input = document.querySelector('#chat-message');
                    input.addEventListener('keydown', e => { if (e.key === 'Enter') window.sentAt = performance.now(); }, { capture: true, once: true });
                    const observer = new MutationObserver(() => {
                        const text = document.querySelector('[data-testid=message][data-role=assistant] [data-testid=message-text]');
                        if (text && text.textContent.length > 0) { window.firstToken = performance.now() - window.sentAt; observer.disconnect(); }
                    });
                    observer.observe(document.querySelector('.chat-messages'), { subtree: true, childList: true, characterData: true });
                }
                """);
            await page.Locator("#chat-message").PressAsync("Enter");
            var stats = page.Locator("[data-testid=message][data-role=assistant] [data-testid=stats]");
            await stats.WaitForAsync();
            var seen = await page.EvaluateAsync<double>("() => window.firstToken");
            var reported = double.Parse(Ttft().Match(await stats.InnerTextAsync()).Groups[1].Value, CultureInfo.InvariantCulture);
            if (i == 0)
            {
                continue; // the first chat warms the circuit and the JIT
            }
            browser.Add(seen);
            server.Add(reported);
        }
        return (browser, server);
    }

    private static void Row(string name, List<double> values)
    {
        var sorted = values.Order().ToList();
        Console.WriteLine($"| {name} | {Percentile(sorted, 0.5):F1} | {Percentile(sorted, 0.9):F1} | {values.Count} |");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];

    private static int Number(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    [GeneratedRegex(@"TTFT ([\d.]+) ms")]
    private static partial Regex Ttft();
}
