using MlStack.Testing;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MlStack.Dashboard.IntegrationTests;

[Collection(DashboardCollection.Name)]
public sealed partial class ChatTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task An_answer_grows_in_the_page_as_the_stream_delivers_it()
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.UseSettingsAsync(maxNewTokens: 160, ignoreEndOfSequence: true);
        await chat.NewChatAsync();

        // Every length the answer's text takes in the DOM, recorded by the page itself as it changes.
        await chat.Page.EvaluateAsync("""
            () => {
                window.answerLengths = [];
                const record = () => {
                    const texts = document.querySelectorAll('[data-testid=message][data-role=assistant] [data-testid=message-text]');
                    const last = texts[texts.length - 1];
                    const length = last ? last.textContent.length : 0;
                    if (length > 0 && window.answerLengths[window.answerLengths.length - 1] !== length) window.answerLengths.push(length);
                };
                new MutationObserver(record).observe(document.querySelector('.chat-messages'), { subtree: true, childList: true, characterData: true });
            }
            """);
        await chat.SendAsync("Tell me a short story about a dog.");
        var (_, finish, stats) = await chat.WaitForAnswerAsync();
        var lengths = await chat.Page.EvaluateAsync<int[]>("() => window.answerLengths");
        output.WriteLine($"lengths: {string.Join(",", lengths)}; stats: {stats}");

        Assert.True(lengths.Length >= 2, $"the answer appeared in {lengths.Length} step(s): {string.Join(",", lengths)}");
        Assert.Equal((await chat.LastAnswer.Locator("[data-testid=message-text]").TextContentAsync())?.Length, lengths[^1]);
        Assert.Equal("length", finish);
        Assert.Matches(@"TTFT [\d.]+ ms", stats);
        Assert.Matches(@"[\d.]+ tok/s", stats);
        Assert.Contains("160 tokens", stats);
        await DashboardFixture.ScreenshotAsync(chat.Page, "chat");
        await chat.Page.CloseAsync();
    }

    [Theory]
    [InlineData("stop-button")]
    [InlineData("escape")]
    public async Task Stop_ends_a_long_generation_early_and_the_server_cancels_it(string how)
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.UseSettingsAsync(maxNewTokens: 900, ignoreEndOfSequence: true);

        // A 900-token answer takes the service well under a second on some machines, so the stop is pressed, as a
        // person would, while the service is decoding this answer (its running gauge), and an attempt whose whole
        // answer was produced before the stop reached the service proves nothing either way: it is tried again. A
        // Stop that does not stop the service fails every attempt.
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            await chat.NewChatAsync();
            var before = await FinishedGenerationsAsync();
            await chat.SendAsync("Tell me a long story about the sea.");
            await Polling.UntilAsync(RunningAsync, running => running >= 1, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));
            await chat.Page.EvaluateAsync("""
                how => {
                    if (how === 'escape') document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
                    else document.querySelector('[data-testid=stop-button]')?.click(); // gone when the answer has already ended
                }
                """, how);
            var (_, finish, stats) = await chat.WaitForAnswerAsync();
            output.WriteLine($"attempt {attempt}: {finish}, {stats}");
            if (finish == "length" && attempt < attempts) continue;

            Assert.Equal("stopped", finish);
            var tokens = TokenCount().Match(stats) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            Assert.True(tokens < 900, $"the answer ran to {tokens} tokens");
            var after = await Polling.UntilAsync(FinishedGenerationsAsync,
                n => Count(n, "cancelled") > Count(before, "cancelled") || Count(n, "length") > Count(before, "length"),
                TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(250));
            // The page may stop showing an answer the service had already finished (it decodes faster than the page
            // renders): counted under length, that attempt proves nothing either way.
            if (Count(after, "cancelled") <= Count(before, "cancelled") && Count(after, "length") > Count(before, "length") && attempt < attempts)
            {
                output.WriteLine($"attempt {attempt}: the service had finished the answer before the stop reached it");
                continue;
            }
            // When the service counted the answer under another reason (length), it had finished before the stop reached it;
            // when it counted none, the running and generated figures say whether it was still decoding.
            if (Count(after, "cancelled") <= Count(before, "cancelled"))
            {
                Assert.Fail($"the inference service did not report a cancelled generation; finished before: {Describe(before)}, " +
                    $"after: {Describe(after)}; {await DecodingAsync()}");
            }
            break;
        }
        await Expect(chat.Page.Locator("[data-testid=send-button]")).ToBeVisibleAsync();
        await chat.Page.CloseAsync();
    }

    [Fact]
    public async Task The_chat_is_still_there_after_a_reload_and_earlier_chats_reopen()
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.UseSettingsAsync(maxNewTokens: 40, ignoreEndOfSequence: false);
        await chat.NewChatAsync();
        var question = $"What does a cat do? ({Guid.NewGuid():N})";
        await chat.SendAsync(question);
        var (answer, _, _) = await chat.WaitForAnswerAsync();

        await chat.Page.ReloadAsync();
        await chat.WaitReadyAsync();
        await Expect(chat.Page.Locator("[data-testid=message][data-role=user]").Last).ToContainTextAsync(question);
        Assert.Equal(answer, await chat.LastAnswer.Locator("[data-testid=message-text]").InnerTextAsync());

        await chat.NewChatAsync();
        var earlier = chat.Page.Locator("[data-testid=history-item]", new() { HasText = question[..20] }).First;
        await earlier.Locator("button.history-open").ClickAsync();
        await Expect(chat.Page.Locator("[data-testid=message][data-role=user]").Last).ToContainTextAsync(question);
        await chat.Page.CloseAsync();
    }

    [Fact]
    public async Task The_demo_model_answers_in_turn_without_a_role_word_before_its_answer()
    {
        // The answer the dashboard shows for the default model and a suggested question, greedy: it begins with the
        // answer itself (not "assistant", the role word of a turn the model opened) and the model ends it.
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.UseSettingsAsync(maxNewTokens: 64, ignoreEndOfSequence: false, temperature: 0);
        await chat.NewChatAsync();
        await chat.SendAsync("Tell me about the bee.");
        var (answer, finish, _) = await chat.WaitForAnswerAsync();

        Assert.DoesNotMatch(@"^\s*(assistant|user|system)\b", answer);
        Assert.StartsWith("The bee", answer);
        Assert.Equal("stop", finish);
        await chat.Page.CloseAsync();
    }

    [Fact]
    public async Task Shift_enter_adds_a_line_instead_of_sending()
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.NewChatAsync();
        await chat.Input.FillAsync("first line");
        await chat.Input.PressAsync("Shift+Enter");
        await chat.Input.PressSequentiallyAsync("second line");

        Assert.Equal("first line\nsecond line", await chat.Input.InputValueAsync());
        Assert.Equal(0, await chat.Page.Locator("[data-testid=message]").CountAsync());
        await chat.Page.CloseAsync();
    }

    /// <summary>The inference service's own /metrics, one sample a line.</summary>
    private async Task<string[]> ScrapeAsync()
    {
        using var http = new HttpClient();
        return (await http.GetStringAsync(new Uri(fixture.Stack.Endpoint("inference"), "/metrics"))).Split('\n');
    }

    /// <summary>Sequences the inference service is decoding now.</summary>
    private async Task<double> RunningAsync() => Sum(await ScrapeAsync(), "mlstack_generation_requests_running");

    /// <summary>Sequences running and tokens generated now and 2 s later: growing tokens mean the service is still decoding.</summary>
    private async Task<string> DecodingAsync()
    {
        var now = await ScrapeAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        var later = await ScrapeAsync();
        return $"running {Sum(now, "mlstack_generation_requests_running")}, generated tokens {Sum(now, "mlstack_generation_generation_tokens_total")}, " +
            $"2 s later {Sum(later, "mlstack_generation_generation_tokens_total")}";
    }

    private static double Sum(string[] metrics, string name) =>
        metrics.Where(line => line.StartsWith(name + "{", StringComparison.Ordinal)).Sum(SampleValue);

    /// <summary>Generations the inference service finished, by finished_reason.</summary>
    private async Task<Dictionary<string, double>> FinishedGenerationsAsync()
    {
        return (await ScrapeAsync())
            .Where(line => line.StartsWith("mlstack_generation_request_success_total{", StringComparison.Ordinal))
            .Select(line => (Reason: FinishedReason().Match(line).Groups[1].Value, Value: SampleValue(line)))
            .GroupBy(sample => sample.Reason)
            .ToDictionary(g => g.Key, g => g.Sum(sample => sample.Value));
    }

    /// <summary>A sample line is "name{labels} value", optionally followed by a timestamp.</summary>
    private static double SampleValue(string line) =>
        double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    private static double Count(Dictionary<string, double> finished, string reason) => finished.GetValueOrDefault(reason);

    private static string Describe(Dictionary<string, double> finished) =>
        string.Join(", ", finished.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}"));

    [GeneratedRegex(@"(\d+) tokens")]
    private static partial Regex TokenCount();

    [GeneratedRegex("finished_reason=\"([^\"]*)\"")]
    private static partial Regex FinishedReason();
}
