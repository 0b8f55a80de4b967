using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Chat;
using MlStack.Inference.V1;

namespace MlStack.Dashboard.UnitTests.Chat;

public sealed class InferenceChatClientTests
{
    [Fact]
    public async Task Streams_text_updates_then_the_summary_with_usage_finish_reason_and_server_figures()
    {
        var wire = new ScriptedGeneration();
        var client = new InferenceChatClient(wire.Client);
        await wire.SendAsync("Hello");
        await wire.SendAsync(", world");
        await wire.FinishAsync(new GenerationSummary
        {
            FinishReason = FinishReason.Length, Usage = new Usage { PromptTokens = 7, CompletionTokens = 2, CachedPromptTokens = 4 }, Model = "tiny-gpt",
            ModelVersion = "1", TimeToFirstTokenMs = 3.5, TokensPerSecond = 420,
        });
        wire.End();

        var options = new ChatOptions
        {
            ModelId = "tiny-gpt", Temperature = 0.5f, MaxOutputTokens = 2, Seed = 42, StopSequences = ["###"],
            AdditionalProperties = new() { [InferenceChatClient.IgnoreEosProperty] = true },
        };
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")], options))
        {
            updates.Add(update);
        }

        Assert.Equal(["Hello", ", world"], updates.Where(u => u.Text.Length > 0).Select(u => u.Text));
        var last = updates[^1];
        Assert.Equal(ChatFinishReason.Length, last.FinishReason);
        Assert.Equal("tiny-gpt", last.ModelId);
        var usage = Assert.Single(last.Contents.OfType<UsageContent>()).Details;
        Assert.Equal(2, usage.OutputTokenCount);
        Assert.Equal(4, usage.CachedInputTokenCount);
        Assert.Equal(3.5, last.AdditionalProperties![GenerationStats.TimeToFirstTokenKey]);

        var request = wire.Request!;
        Assert.Equal("tiny-gpt", request.Model);
        Assert.Equal([("system", "Be brief."), ("user", "Hi")], request.Messages.Select(m => (m.Role, m.Content)));
        Assert.Equal(0.5f, request.Parameters.Temperature);
        Assert.Equal(2, request.Parameters.MaxNewTokens);
        Assert.Equal(42UL, request.Parameters.Seed);
        Assert.Equal(["###"], request.Parameters.Stop);
        Assert.True(request.Parameters.IgnoreEos);

        var collector = new GenerationStatsCollector();
        updates.ForEach(collector.Observe);
        var stats = collector.Result();
        Assert.Equal(new GenerationStats(3.5, 420, 2, "length", "tiny-gpt", "1", MeasuredByServer: true, CachedPromptTokens: 4), stats);
    }

    [Fact]
    public async Task Cancelling_the_token_cancels_the_call()
    {
        var wire = new ScriptedGeneration();
        var client = new InferenceChatClient(wire.Client);
        await wire.SendAsync("Once");
        using var stop = new CancellationTokenSource();

        var texts = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Tell a long story")], cancellationToken: stop.Token))
            {
                texts.Add(update.Text);
                stop.Cancel();
            }
        });
        Assert.Equal(["Once"], texts);
        Assert.True(wire.CallCancellation.IsCancellationRequested, "the gRPC call itself was not cancelled");
    }

    [Fact]
    public async Task Tools_and_function_contents_go_to_the_server_and_its_tool_calls_come_back_as_function_calls()
    {
        var wire = new ScriptedGeneration();
        var client = new InferenceChatClient(wire.Client);
        var reply = new GenerateResponse();
        reply.ToolCalls.Add(new ToolCall { Id = "call_2", Name = "get_weather", Arguments = """{"location":"Rome"}""" });
        await wire.SendAsync(reply);
        await wire.FinishAsync(new GenerationSummary { FinishReason = FinishReason.ToolCalls });
        var weather = AIFunctionFactory.Create((string location) => "sunny", "get_weather", "The weather in a city");
        List<Microsoft.Extensions.AI.ChatMessage> messages =
        [
            new(ChatRole.User, "Weather in Paris, then Rome?"),
            new(ChatRole.Assistant, [new FunctionCallContent("call_1", "get_weather", new Dictionary<string, object?> { ["location"] = "Paris" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_1", "21 C")]),
        ];

        var response = await client.GetResponseAsync(messages, new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireSpecific("get_weather") });

        var request = wire.Request!;
        Assert.Equal("get_weather", Assert.Single(request.Tools).Name);
        Assert.Contains("\"location\"", request.Tools[0].ParametersJson);
        Assert.Equal(ToolChoice.Types.Mode.ToolChoiceFunction, request.ToolChoice.Mode);
        Assert.Equal("get_weather", request.ToolChoice.FunctionName);
        Assert.Equal(["user", "assistant", "tool"], request.Messages.Select(m => m.Role));
        Assert.Equal("""{"location":"Paris"}""", request.Messages[1].ToolCalls.Single().Arguments);
        Assert.Equal("call_1", request.Messages[2].ToolCallId);
        Assert.Equal("21 C", request.Messages[2].Content);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_2", "get_weather"), (call.CallId, call.Name));
        Assert.Equal("Rome", call.Arguments!["location"]?.ToString());
    }

    [Theory]
    [InlineData("none", ToolChoice.Types.Mode.ToolChoiceNone)]
    [InlineData("required", ToolChoice.Types.Mode.ToolChoiceRequired)]
    [InlineData("auto", ToolChoice.Types.Mode.ToolChoiceAuto)]
    public void Tool_modes_map_to_tool_choices_and_json_formats_to_response_formats(string mode, ToolChoice.Types.Mode expected)
    {
        var tool = AIFunctionFactory.Create(() => "x", "f");
        ChatToolMode toolMode = mode switch { "none" => ChatToolMode.None, "required" => ChatToolMode.RequireAny, _ => ChatToolMode.Auto };
        var schema = System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"a":{"type":"string"}}}""").RootElement;

        var request = InferenceChatClient.ToRequest([new(ChatRole.User, "q")], new ChatOptions { Tools = [tool], ToolMode = toolMode, ResponseFormat = ChatResponseFormat.Json });
        var withSchema = InferenceChatClient.ToRequest([new(ChatRole.User, "q")], new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) });
        var plain = InferenceChatClient.ToRequest([new(ChatRole.User, "q")], new ChatOptions());

        Assert.Equal(expected, request.ToolChoice.Mode);
        Assert.Equal("json_object", request.ResponseFormat.Type);
        Assert.Equal("json_schema", withSchema.ResponseFormat.Type);
        Assert.Contains("\"a\"", withSchema.ResponseFormat.JsonSchema);
        Assert.Null(plain.ResponseFormat);
        Assert.Null(plain.ToolChoice);
        Assert.Empty(plain.Tools);
    }
}
