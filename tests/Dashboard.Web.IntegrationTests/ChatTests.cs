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
        await chat.NewChatAsync();
        var cancelledBefore = await CancelledGenerationsAsync();

        // The page stops the answer the moment its first text appears, as a person pressing Stop or Esc would.
        await chat.Page.EvaluateAsync("""
            how => {
                const observer = new MutationObserver(() => {
                    const texts = document.querySelectorAll('[data-testid=message][data-role=assistant][data-streaming=true] [data-testid=message-text]');
                    if (texts.length && texts[texts.length - 1].textContent.length > 0) {
                        observer.disconnect();
                        if (how === 'escape') document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
                        else document.querySelector('[data-testid=stop-button]').click();
                    }
                });
                observer.observe(document.querySelector('.chat-messages'), { subtree: true, childList: true, characterData: true });
            }
            """, how);
        await chat.SendAsync("Tell me a long story about the sea.");
        var (_, finish, stats) = await chat.WaitForAnswerAsync();
        output.WriteLine(stats);

        Assert.Equal("stopped", finish);
        var tokens = TokenCount().Match(stats) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        Assert.True(tokens < 900, $"the answer ran to {tokens} tokens");
        var cancelled = await Polling.UntilAsync(CancelledGenerationsAsync, n => n > cancelledBefore, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(250));
        Assert.True(cancelled > cancelledBefore, "the inference service did not report a cancelled generation");
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

    /// <summary>Generations the inference service finished as cancelled, from its own /metrics.</summary>
    private async Task<double> CancelledGenerationsAsync()
    {
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri(fixture.Stack.Endpoint("inference"), "/metrics"));
        return metrics.Split('\n')
            .Where(line => line.StartsWith("mlstack_generation_request_success_total{", StringComparison.Ordinal)
                && line.Contains("finished_reason=\"cancelled\"", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"(\d+) tokens")]
    private static partial Regex TokenCount();
}
