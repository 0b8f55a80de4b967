using System.Text.Json;

namespace MlStack.Dashboard.IntegrationTests;

/// <summary>What the chat tests do on the page: settings in the browser's storage, send, wait for the answer.</summary>
public sealed class ChatPage(IPage page)
{
    public IPage Page { get; } = page;

    public ILocator Input => Page.Locator("#chat-message");

    public ILocator Answers => Page.Locator("[data-testid=message][data-role=assistant]");

    public ILocator LastAnswer => Answers.Last;

    /// <summary>Chat settings as the page keeps them in localStorage; the page reads them when it loads.</summary>
    public async Task UseSettingsAsync(int maxNewTokens, bool ignoreEndOfSequence, bool fromDocuments = false, string? collection = null,
        string backendId = "mlstack/tiny-gpt", double temperature = 0.8)
    {
        var settings = JsonSerializer.Serialize(new
        {
            backendId,
            temperature,
            maxNewTokens,
            systemPrompt = "",
            ignoreEndOfSequence,
            answerFromDocuments = fromDocuments,
            collection,
        });
        await Page.EvaluateAsync("s => localStorage.setItem('mlstack.chat.settings', s)", settings);
        await Page.ReloadAsync();
        await WaitReadyAsync();
    }

    public async Task WaitReadyAsync() =>
        await Expect(Page.Locator("[data-testid=chat-page][data-ready=true]")).ToBeVisibleAsync();

    public async Task NewChatAsync()
    {
        await Page.Locator("[data-testid=new-chat]").ClickAsync();
        await Expect(Page.Locator("[data-testid=suggestion]").First).ToBeVisibleAsync();
    }

    /// <summary>Types a message and presses Enter (not the Send button: Enter must send).</summary>
    public async Task SendAsync(string text)
    {
        await Input.FillAsync(text);
        await Input.PressAsync("Enter");
        await Expect(Page.Locator("[data-testid=message][data-role=user]").Last).ToContainTextAsync(text);
    }

    /// <summary>Waits until the last answer is finished (its figures are shown) and returns them.</summary>
    public async Task<(string Text, string FinishReason, string Stats)> WaitForAnswerAsync()
    {
        var stats = LastAnswer.Locator("[data-testid=stats]");
        await Expect(stats).ToBeVisibleAsync();
        return (await LastAnswer.Locator("[data-testid=message-text]").InnerTextAsync(),
            await stats.GetAttributeAsync("data-finish-reason") ?? "",
            await stats.InnerTextAsync());
    }
}
