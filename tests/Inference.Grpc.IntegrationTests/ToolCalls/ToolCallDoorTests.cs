using System.Net;
using Grpc.Core;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;

namespace MlStack.Inference.IntegrationTests.ToolCalls;

/// <summary>
/// Tools on both doors of the running service: what is refused with a 400 naming the field, conversations with calls
/// and results that the model's own template renders, the parser shown in /v1/models and ListModels, and a required
/// choice whose streamed deltas reassemble into the non-streamed answer.
/// </summary>
public sealed class ToolCallDoorTests(ToolModelsHost host) : IClassFixture<ToolModelsHost>
{
    private async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(JsonObject body)
    {
        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", body);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task Models_show_the_tool_call_parser_of_a_model_that_takes_tools()
    {
        var models = JsonNode.Parse(await host.Http.GetStringAsync("/v1/models"))!["data"]!.AsArray();
        var grpc = await host.TextGeneration.ListModelsAsync(new ListModelsRequest());

        Assert.Equal("hermes", (string?)models.Single(m => (string?)m!["id"] == ToolModelsHost.ToolModel)!["tool_call_parser"]);
        Assert.Equal("hermes", (string?)models.Single(m => (string?)m!["id"] == ToolModelsHost.ToolModel + ":1")!["tool_call_parser"]);
        Assert.Null(models.Single(m => (string?)m!["id"] == ToolModelsHost.NoTools)!["tool_call_parser"]);
        Assert.Equal("hermes", grpc.Models.Single(m => m.Name == ToolModelsHost.ToolModel).ToolCallParser);
        Assert.Equal("", grpc.Models.Single(m => m.Name == ToolModelsHost.NoTools).ToolCallParser);
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        { """{"type":"function","function":{"name":"get_stock"}}""", "tool_choice", "get_stock" },
        { "\"sometimes\"", "tool_choice", "sometimes" },
        { "{\"type\":\"function\"}", "tool_choice", "tool_choice" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_tool_choice_that_names_no_tool_or_no_mode_is_a_400_naming_it(string choice, string param, string named)
    {
        var (status, body) = await PostAsync(ToolRequests.Chat(JsonNode.Parse(choice)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(param, (string?)body["error"]!["param"]);
        Assert.Contains(named, (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task Tools_for_a_model_whose_template_shows_none_are_a_400_not_ignored()
    {
        var (status, body) = await PostAsync(ToolRequests.Chat(null, model: ToolModelsHost.NoTools));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("takes no tools", (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task A_response_format_beside_tools_on_auto_is_refused_on_grpc_naming_both()
    {
        var chat = new ChatRequest
        {
            Model = ToolModelsHost.ToolModel,
            ResponseFormat = new ResponseFormat { Type = "json_object" },
        };
        chat.Messages.Add(new V1.ChatMessage { Role = "user", Content = ToolRequests.Question });
        chat.Tools.Add(new Tool { Name = "get_weather", ParametersJson = ToolRequests.WeatherParameters });

        var error = await Assert.ThrowsAsync<RpcException>(() => host.TextGeneration.Chat(chat).CollectAsync());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("response_format", error.Status.Detail);
        Assert.Contains("tool_choice auto", error.Status.Detail);
    }

    [Fact]
    public async Task A_tool_message_needs_the_id_of_the_call_it_answers()
    {
        var request = ToolRequests.Chat(null);
        request["messages"]!.AsArray().Add(new JsonObject { ["role"] = "tool", ["content"] = "21 C" });

        var (status, body) = await PostAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("tool_call_id", (string?)body["error"]!["message"]);
    }

    [Fact]
    public async Task A_conversation_with_a_call_and_its_result_is_rendered_by_the_template_on_both_doors()
    {
        var request = ToolRequests.Chat(JsonValue.Create("none"));
        request["max_tokens"] = 4;
        var messages = request["messages"]!.AsArray();
        messages.Add(new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = null,
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = "call_1",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = """{"location": "Paris"}""" },
            }),
        });
        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_1", ["content"] = "21 C and sunny" });
        var plain = ToolRequests.Chat(JsonValue.Create("none"));
        plain["max_tokens"] = 4;

        var (status, body) = await PostAsync(request);
        var (_, without) = await PostAsync(plain);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual("tool_calls", (string?)body["choices"]![0]!["finish_reason"]);
        // The call and the result are in the prompt: Qwen's template writes them as <tool_call> and <tool_response> turns.
        var expected = Prompt(host, [("user", ToolRequests.Question, null, null),
            ("assistant", "", """{"location": "Paris"}""", null), ("tool", "21 C and sunny", null, "call_1")]);
        Assert.Equal(expected, (int)body["usage"]!["prompt_tokens"]!);
        Assert.True((int)body["usage"]!["prompt_tokens"]! > (int)without["usage"]!["prompt_tokens"]!);

        var chat = new ChatRequest { Model = ToolModelsHost.ToolModel, Parameters = new GenerationParameters { MaxNewTokens = 4, Temperature = 0 } };
        chat.Messages.Add(new V1.ChatMessage { Role = "user", Content = ToolRequests.Question });
        var assistant = new V1.ChatMessage { Role = "assistant" };
        assistant.ToolCalls.Add(new V1.ToolCall { Id = "call_1", Name = "get_weather", Arguments = """{"location": "Paris"}""" });
        chat.Messages.Add(assistant);
        chat.Messages.Add(new V1.ChatMessage { Role = "tool", Content = "21 C and sunny", ToolCallId = "call_1" });
        var (_, _, summary) = await host.TextGeneration.Chat(chat).CollectAsync();
        Assert.Equal(expected, summary.Usage.PromptTokens);
    }

    /// <summary>The prompt's token count as the engine encodes the conversation with the model's template (tools not shown: choice none).</summary>
    private static int Prompt(ToolModelsHost host, IEnumerable<(string Role, string Content, string? Arguments, string? CallId)> turns)
    {
        var model = host.Catalog.Resolve(ToolModelsHost.ToolModel);
        var encoder = new MlStack.Inference.Generation.PromptEncoder(Microsoft.Extensions.Options.Options.Create(new MlStack.Inference.Generation.GenerationOptions()));
        return encoder.EncodeChat(model, [.. turns.Select(t => new MlStack.Inference.Generation.ChatTurn(t.Role, t.Content)
        {
            ToolCalls = t.Arguments is null ? null : [new MlStack.Inference.Generation.ToolCalls.ToolCall("call_1", "get_weather", t.Arguments)],
            ToolCallId = t.CallId,
        })]).Count;
    }

    public static TheoryData<string> RequiredChoices => new()
    {
        "\"required\"",
        """{"type":"function","function":{"name":"get_weather"}}""",
    };

    [Theory]
    [MemberData(nameof(RequiredChoices))]
    public async Task Streamed_tool_call_deltas_reassemble_into_the_non_streamed_answer(string choice)
    {
        var (status, whole) = await PostAsync(ToolRequests.Chat(JsonNode.Parse(choice)));
        Assert.Equal(HttpStatusCode.OK, status);
        var message = whole["choices"]![0]!["message"]!;
        Assert.True((string?)whole["choices"]![0]!["finish_reason"] == "tool_calls", $"not a call: {whole.ToJsonString()}");
        var calls = message["tool_calls"]!.AsArray();
        Assert.NotEmpty(calls);
        var call = calls[0]!;
        Assert.StartsWith("call_", (string?)call["id"]);
        Assert.Equal("function", (string?)call["type"]);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse((string)call["function"]!["arguments"]!).RootElement.ValueKind);

        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", ToolRequests.Chat(JsonNode.Parse(choice), stream: true));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        var content = string.Concat(chunks.Select(c => (string?)c["choices"]![0]!["delta"]!["content"]));
        var streamed = new SortedDictionary<int, (string? Id, string? Name, string Arguments)>();
        foreach (var delta in chunks.SelectMany(c => c["choices"]![0]!["delta"]!["tool_calls"]?.AsArray() ?? []))
        {
            var index = (int)delta!["index"]!;
            var (id, name, arguments) = streamed.GetValueOrDefault(index, (null, null, ""));
            streamed[index] = (id ?? (string?)delta["id"], name ?? (string?)delta["function"]!["name"], arguments + (string?)delta["function"]!["arguments"]);
        }

        Assert.Equal((string?)message["content"] ?? "", content);
        Assert.Equal(calls.Select(c => ((string?)c!["function"]!["name"], (string)c["function"]!["arguments"]!)),
            streamed.Values.Select(c => (c.Name, c.Arguments)));
        Assert.All(streamed.Values, c => Assert.StartsWith("call_", c.Id));
        Assert.Equal("tool_calls", (string?)chunks.Last(c => c["choices"]!.AsArray().Count > 0)["choices"]![0]!["finish_reason"]);
        // The id and name come in the call's first delta, the arguments after it.
        var first = chunks.First(c => c["choices"]![0]!["delta"]!["tool_calls"] is not null)["choices"]![0]!["delta"]!["tool_calls"]![0]!;
        Assert.NotNull(first["id"]);
        Assert.Equal("", (string?)first["function"]!["arguments"]);
    }

    [Fact]
    public async Task A_streamed_named_call_sends_its_arguments_in_more_than_one_delta_as_they_are_written()
    {
        var choice = JsonNode.Parse("""{"type":"function","function":{"name":"get_weather"}}""");
        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", ToolRequests.Chat(choice, stream: true));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!).ToList();
        var deltas = chunks.SelectMany(c => c["choices"]!.AsArray().SelectMany(ch => ch!["delta"]?["tool_calls"]?.AsArray() ?? [])).ToList();

        Assert.Equal("get_weather", (string?)deltas[0]!["function"]!["name"]);
        var pieces = deltas.Skip(1).Select(d => (string?)d!["function"]!["arguments"]).ToList();
        Assert.True(pieces.Count > 1, $"arguments in {pieces.Count} delta(s): {string.Join(" | ", events)}");
        Assert.All(deltas.Skip(1), d => Assert.Null(d!["id"]));
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(string.Concat(pieces)).RootElement.GetProperty("location").ValueKind);
        Assert.Equal("tool_calls", (string?)chunks.Last(c => c["choices"]!.AsArray().Count > 0)["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task A_named_choice_on_grpc_chat_returns_the_call_on_the_last_message()
    {
        var chat = new ChatRequest
        {
            Model = ToolModelsHost.ToolModel,
            Parameters = new GenerationParameters { MaxNewTokens = 60, Temperature = 0 },
            ToolChoice = new V1.ToolChoice { Mode = V1.ToolChoice.Types.Mode.ToolChoiceFunction, FunctionName = "get_weather" },
        };
        chat.Messages.Add(new V1.ChatMessage { Role = "user", Content = ToolRequests.Question });
        chat.Tools.Add(new Tool { Name = "get_weather", Description = "The current weather in a city", ParametersJson = ToolRequests.WeatherParameters });

        var calls = new List<V1.ToolCall>();
        GenerationSummary? summary = null;
        await foreach (var message in host.TextGeneration.Chat(chat).ResponseStream.ReadAllAsync())
        {
            calls.AddRange(message.ToolCalls);
            summary ??= message.Summary;
        }

        Assert.Equal(FinishReason.ToolCalls, summary?.FinishReason);
        var call = Assert.Single(calls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(call.Arguments).RootElement.GetProperty("location").ValueKind);
    }
}
