using System.ClientModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using global::OpenAI;
using global::OpenAI.Chat;
using OpenAIMessage = global::OpenAI.Chat.ChatMessage;
using ChatFinishReason = global::OpenAI.Chat.ChatFinishReason;

namespace MlStack.Inference.IntegrationTests.ToolCalls;

/// <summary>
/// Agent clients, unchanged, against the running service with a small model and a required tool choice: the official
/// OpenAI .NET library and Microsoft.Extensions.AI's FunctionInvokingChatClient each round-trip a call (the call comes
/// back with valid arguments, the tool's result goes back, and the model answers).
/// </summary>
public sealed class ToolCallClientTests(ToolModelsHost host) : IClassFixture<ToolModelsHost>
{
    private OpenAIClient Client => new(new ApiKeyCredential(host.ApiKey), new OpenAIClientOptions { Endpoint = new Uri($"http://127.0.0.1:{host.HttpPort}/v1") });

    [Fact]
    public async Task The_openai_client_round_trips_a_required_tool_call()
    {
        var chat = Client.GetChatClient(ToolModelsHost.ToolModel);
        var weather = ChatTool.CreateFunctionTool("get_weather", "The current weather in a city", BinaryData.FromString(ToolRequests.WeatherParameters));
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 60, Tools = { weather }, ToolChoice = ChatToolChoice.CreateRequiredChoice() };
        List<OpenAIMessage> messages = [new UserChatMessage(ToolRequests.Question)];

        ChatCompletion completion = await chat.CompleteChatAsync(messages, options);

        Assert.Equal(ChatFinishReason.ToolCalls, completion.FinishReason);
        var call = Assert.Single(completion.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        using var arguments = JsonDocument.Parse(call.FunctionArguments);
        Assert.Equal(JsonValueKind.String, arguments.RootElement.GetProperty("location").ValueKind);

        messages.Add(new AssistantChatMessage(completion));
        messages.Add(new ToolChatMessage(call.Id, "21 C and sunny"));
        ChatCompletion answer = await chat.CompleteChatAsync(messages,
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 8, Tools = { weather }, ToolChoice = ChatToolChoice.CreateNoneChoice() });

        Assert.NotEqual(ChatFinishReason.ToolCalls, answer.FinishReason);
        Assert.Empty(answer.ToolCalls);
        ChatCompletion question = await chat.CompleteChatAsync([new UserChatMessage(ToolRequests.Question)],
            new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 1, Tools = { weather }, ToolChoice = ChatToolChoice.CreateNoneChoice() });
        Assert.True(answer.Usage.InputTokenCount > question.Usage.InputTokenCount + 10, "the call and its result are in the second prompt");
    }

    [Fact]
    public async Task A_function_invoking_chat_client_calls_the_function_sends_the_result_and_gets_an_answer()
    {
        var locations = new List<string>();
        var getWeather = AIFunctionFactory.Create((string location) =>
        {
            locations.Add(location);
            return "21 C and sunny";
        }, "get_weather", "The current weather in a city");
        using var client = Client.GetChatClient(ToolModelsHost.ToolModel).AsIChatClient().AsBuilder().UseFunctionInvocation().Build();

        var response = await client.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(ChatRole.User, ToolRequests.Question)],
            new ChatOptions { Temperature = 0, MaxOutputTokens = 60, Tools = [getWeather], ToolMode = ChatToolMode.RequireAny });

        Assert.Single(locations);
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var call = Assert.Single(contents.OfType<FunctionCallContent>());
        Assert.Equal("get_weather", call.Name);
        var result = Assert.Single(contents.OfType<FunctionResultContent>());
        Assert.Equal(call.CallId, result.CallId);
        // After the required call the client asks again with tools on auto: the last message is the model's answer.
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.DoesNotContain(response.Messages[^1].Contents, c => c is FunctionCallContent);
    }
}
