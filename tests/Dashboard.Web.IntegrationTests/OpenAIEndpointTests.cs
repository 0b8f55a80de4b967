namespace MlStack.Dashboard.IntegrationTests;

/// <summary>
/// The dashboard's OpenAI-compatible backend (Microsoft.Extensions.AI.OpenAI) pointed at the inference service's own
/// OpenAI door, as a user adds another MlStack: the chat streams through HTTP /v1 instead of gRPC.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class OpenAIEndpointTests(DashboardFixture fixture)
{
    private const string EndpointName = "mlstack-openai-door";

    [Fact]
    public async Task A_chat_streams_through_the_inference_services_openai_door_added_as_an_endpoint()
    {
        var door = new Uri(fixture.Stack.Endpoint("inference"), "/v1");
        var chat = new ChatPage(await fixture.OpenAsync("/"));
        await chat.WaitReadyAsync();
        await chat.Page.GetByTestId("settings-button").ClickAsync();
        var form = chat.Page.Locator(".endpoint-form");
        await form.GetByLabel("Name").FillAsync(EndpointName);
        await form.GetByLabel("Base URL").FillAsync(door.ToString());
        // The door asks for the inference API key, which an OpenAI client sends as its api key (Authorization: Bearer).
        await form.GetByLabel("API key (optional)").FillAsync(await fixture.Stack.ParameterAsync("inference-api-key"));
        await form.GetByLabel("Model", new() { Exact = true }).FillAsync("tiny-gpt");
        await form.GetByLabel("Model", new() { Exact = true }).PressAsync("Tab"); // MudTextField takes its value on change
        await form.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        await Expect(chat.Page.Locator(".endpoint-row", new() { HasText = EndpointName })).ToBeVisibleAsync();
        try
        {
            await chat.UseSettingsAsync(maxNewTokens: 40, ignoreEndOfSequence: false, backendId: $"endpoint/{EndpointName}/tiny-gpt");
            await Expect(chat.Page.GetByTestId("model-chip")).ToContainTextAsync("tiny-gpt");
            await chat.NewChatAsync();
            await chat.Page.EvaluateAsync("""
                () => {
                    window.answerLengths = [];
                    new MutationObserver(() => {
                        const texts = document.querySelectorAll('[data-testid=message][data-role=assistant] [data-testid=message-text]');
                        const length = texts.length ? texts[texts.length - 1].textContent.length : 0;
                        if (length > 0 && window.answerLengths[window.answerLengths.length - 1] !== length) window.answerLengths.push(length);
                    }).observe(document.querySelector('.chat-messages'), { subtree: true, childList: true, characterData: true });
                }
                """);

            await chat.SendAsync("What does a cat do?");
            var (text, finish, _) = await chat.WaitForAnswerAsync();

            Assert.False(string.IsNullOrWhiteSpace(text));
            Assert.Contains(finish, new[] { "stop", "length" });
            var lengths = await chat.Page.EvaluateAsync<int[]>("() => window.answerLengths");
            Assert.True(lengths.Length >= 2, $"the answer appeared in {lengths.Length} step(s): it was not streamed");
        }
        finally
        {
            await chat.Page.GetByTestId("settings-button").ClickAsync();
            await chat.Page.GetByLabel($"Remove the endpoint {EndpointName}").ClickAsync();
            await Expect(chat.Page.Locator(".endpoint-row", new() { HasText = EndpointName })).ToHaveCountAsync(0);
            await chat.Page.CloseAsync();
        }
    }
}
