using System.Diagnostics;
using MlStack.Testing;

namespace MlStack.Dashboard.IntegrationTests;

/// <summary>
/// Issue 20: no stored history, no input and no backend failure ends the chat page. Each test ends by chatting with
/// MlStack's model on the same page: the page is still usable, not merely showing a message.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class ChatResilienceTests(DashboardFixture fixture, ITestOutputHelper output)
{
    /// <summary>ChatLimits.SilenceTimeout, as the settings panel states it.</summary>
    private static readonly TimeSpan StatedTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_megabyte_of_stored_history_across_200_chats_loads_and_the_page_sends_and_answers()
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        try
        {
            var stored = await chat.Page.EvaluateAsync<int>("""
                () => {
                    const chats = [];
                    for (let i = 0; i < 200; i++) {
                        chats.push({
                            id: 'stored' + i, title: 'Stored chat ' + i, updatedAt: new Date(Date.now() - (i + 1) * 60000).toISOString(),
                            messages: [
                                { role: 'user', text: 'Question ' + i + ' ' + 'q'.repeat(2500) },
                                { role: 'assistant', text: 'Answer ' + i + ' ' + 'a'.repeat(2600), backend: 'tiny-gpt (v1)' },
                            ],
                        });
                    }
                    const json = JSON.stringify(chats);
                    localStorage.setItem('mlstack.chat.conversations', json);
                    localStorage.removeItem('mlstack.chat.archive');
                    return json.length;
                }
                """);
            output.WriteLine($"stored history: {stored} characters");
            Assert.True(stored >= 1_000_000, $"only {stored} characters were stored");

            await chat.UseSettingsAsync(maxNewTokens: 24, ignoreEndOfSequence: false);
            await Expect(chat.Page.Locator(".chat-sidebar [data-testid=history-item]")).ToHaveCountAsync(50);
            await Expect(chat.Page.GetByTestId("chat-notice")).ToContainTextAsync("150 older chats were moved to the archive");
            await Expect(chat.Page.GetByTestId("export-archive")).ToBeVisibleAsync();
            Assert.Equal(150, await chat.Page.EvaluateAsync<int>("() => JSON.parse(localStorage.getItem('mlstack.chat.archive')).length"));

            await chat.NewChatAsync();
            await chat.SendAsync("What does a bee do?");
            var (answer, _, _) = await chat.WaitForAnswerAsync();
            Assert.False(string.IsNullOrWhiteSpace(answer));
            await Expect(chat.LastAnswer.GetByTestId("message-error")).ToHaveCountAsync(0);
        }
        finally
        {
            await chat.Page.EvaluateAsync("() => { localStorage.removeItem('mlstack.chat.conversations'); localStorage.removeItem('mlstack.chat.archive'); }");
            await chat.Page.CloseAsync();
        }
    }

    [Fact]
    public async Task A_100000_character_paste_gets_the_limit_message_and_the_page_stays_usable()
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.UseSettingsAsync(maxNewTokens: 24, ignoreEndOfSequence: false);
        await chat.NewChatAsync();

        // Inserted in one input event, as a paste is.
        await chat.Input.FocusAsync();
        await chat.Page.Keyboard.InsertTextAsync(new string('x', 100_000));

        await Expect(chat.Page.GetByTestId("input-limit")).ToContainTextAsync("limited to 16,000 characters");
        await Expect(chat.Page.GetByTestId("input-limit")).ToContainTextAsync("100,000");
        await Expect(chat.Page.GetByTestId("input-count")).ToContainTextAsync("16,000 / 16,000");
        Assert.Equal(16_000, (await chat.Input.InputValueAsync()).Length);
        await DashboardFixture.ScreenshotAsync(chat.Page, "chat-input-limit");

        await chat.Input.FillAsync("");
        await chat.SendAsync("What does a cat do?");
        var (answer, _, _) = await chat.WaitForAnswerAsync();
        Assert.False(string.IsNullOrWhiteSpace(answer));

        // Every other text field is guarded the same way: the compare prompt is cut, with a notice, and the page
        // still answers (the theme toggle is a round trip through the circuit).
        await chat.Page.GotoAsync(fixture.Url("/compare"));
        await DashboardFixture.WaitInteractiveAsync(chat.Page);
        var prompt = chat.Page.GetByLabel("Prompt");
        await prompt.FocusAsync();
        await chat.Page.Keyboard.InsertTextAsync(new string('y', 100_000));
        await Expect(chat.Page.Locator(".input-cut-notice")).ToContainTextAsync("were cut to fit");
        Assert.Equal(16_000, (await prompt.InputValueAsync()).Length);
        await chat.Page.GetByTestId("theme-toggle").ClickAsync();
        await Expect(chat.Page.Locator("body")).ToHaveClassAsync("theme-dark");
        await chat.Page.EvaluateAsync("() => mlstack.setTheme('light')");
        await chat.Page.CloseAsync();
    }

    [Fact]
    public async Task A_malformed_stored_value_is_set_aside_with_a_notice_and_the_page_chats()
    {
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        try
        {
            await chat.Page.EvaluateAsync("() => localStorage.setItem('mlstack.chat.conversations', '{\"not\": [json')");
            await chat.UseSettingsAsync(maxNewTokens: 24, ignoreEndOfSequence: false);

            await Expect(chat.Page.GetByTestId("chat-notice")).ToContainTextAsync("could not be read");
            Assert.Equal("{\"not\": [json", await chat.Page.EvaluateAsync<string>("() => localStorage.getItem('mlstack.chat.conversations.unreadable')"));
            await chat.NewChatAsync();
            await chat.SendAsync("What does a fox do?");
            var (answer, _, _) = await chat.WaitForAnswerAsync();
            Assert.False(string.IsNullOrWhiteSpace(answer));
        }
        finally
        {
            await chat.Page.EvaluateAsync("() => localStorage.removeItem('mlstack.chat.conversations.unreadable')");
            await chat.Page.CloseAsync();
        }
    }

    [Fact]
    public async Task A_refused_and_a_hanging_endpoint_each_end_in_an_error_within_the_stated_timeout_and_the_page_chats_on()
    {
        await using var hanging = new SilentServer();
        var refusedPort = FreePort.Next();
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await AddEndpointAsync(chat, "refused", $"http://127.0.0.1:{refusedPort}/v1");
        await AddEndpointAsync(chat, "hanging", $"http://127.0.0.1:{hanging.Port}/v1");
        try
        {
            await Expect(chat.Page.GetByTestId("chat-settings")).ToContainTextAsync($"sends nothing for {StatedTimeout.TotalSeconds:0} s ends with an error");

            foreach (var name in new[] { "refused", "hanging" })
            {
                await chat.UseSettingsAsync(maxNewTokens: 24, ignoreEndOfSequence: false, backendId: $"endpoint/{name}/some-model");
                await chat.NewChatAsync();
                var started = Stopwatch.StartNew();
                await chat.SendAsync($"Hello {name}");
                var error = chat.LastAnswer.GetByTestId("message-error");
                await Expect(error).ToBeVisibleAsync(new() { Timeout = (float)(StatedTimeout + TimeSpan.FromSeconds(15)).TotalMilliseconds });
                var text = await error.InnerTextAsync();
                output.WriteLine($"{name}: {started.Elapsed.TotalSeconds:F1} s: {text}");
                Assert.True(started.Elapsed < StatedTimeout + TimeSpan.FromSeconds(15), $"the {name} endpoint took {started.Elapsed} to fail");
                Assert.Contains($"endpoint '{name}'", text);
                await Expect(chat.LastAnswer.GetByTestId("copy-button")).ToHaveCountAsync(0);
                await Expect(chat.LastAnswer.GetByTestId("stats")).ToHaveCountAsync(0);
            }
            Assert.True(hanging.Accepted > 0, "the hanging endpoint was never called");

            // A stuck call ends at once with Esc.
            await chat.NewChatAsync();
            await chat.SendAsync("Hello again");
            await Expect(chat.Page.GetByTestId("stop-button")).ToBeVisibleAsync();
            await chat.Page.Keyboard.PressAsync("Escape");
            var (_, finish, _) = await chat.WaitForAnswerAsync();
            Assert.Equal("stopped", finish);
            await DashboardFixture.ScreenshotAsync(chat.Page, "chat-endpoint-error");

            await chat.UseSettingsAsync(maxNewTokens: 24, ignoreEndOfSequence: false);
            await chat.NewChatAsync();
            await chat.SendAsync("What does an owl do?");
            var (answer, _, _) = await chat.WaitForAnswerAsync();
            Assert.False(string.IsNullOrWhiteSpace(answer));
        }
        finally
        {
            await chat.Page.GetByTestId("settings-button").ClickAsync();
            foreach (var name in new[] { "refused", "hanging" })
            {
                await chat.Page.GetByLabel($"Remove the endpoint {name}").ClickAsync();
            }
            await Expect(chat.Page.Locator(".endpoint-row")).ToHaveCountAsync(0);
            await chat.Page.CloseAsync();
        }
    }

    /// <summary>Adds an endpoint that does not answer: the check warns, and the person saves it anyway.</summary>
    private static async Task AddEndpointAsync(ChatPage chat, string name, string address)
    {
        if (await chat.Page.GetByTestId("chat-settings").CountAsync() == 0)
        {
            await chat.Page.GetByTestId("settings-button").ClickAsync();
        }
        var form = chat.Page.Locator(".endpoint-form");
        await form.GetByLabel("Name").FillAsync(name);
        await form.GetByLabel("Base URL").FillAsync(address);
        await form.GetByLabel("Model", new() { Exact = true }).FillAsync("some-model");
        await form.GetByLabel("Model", new() { Exact = true }).PressAsync("Tab");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await Expect(chat.Page.GetByTestId("endpoint-warning")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await chat.Page.GetByTestId("save-endpoint-anyway").ClickAsync();
        await Expect(chat.Page.Locator(".endpoint-row", new() { HasText = name })).ToBeVisibleAsync();
    }
}
