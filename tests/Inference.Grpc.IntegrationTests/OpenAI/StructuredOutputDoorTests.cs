using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Json.Schema;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.OpenAI;

/// <summary>response_format on both doors: /v1 chat completions and completions, and gRPC Chat and Generate.</summary>
public sealed class StructuredOutputDoorTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    private const string Schema = """
        {"type": "object", "properties": {"answer": {"type": "string"}, "confidence": {"type": "number"}, "tags": {"type": "array", "items": {"enum": ["a", "b"]}}},
         "required": ["answer", "confidence", "tags"], "additionalProperties": false}
        """;

    private static JsonObject Format(string schema, bool strict = true) => new()
    {
        ["type"] = "json_schema",
        ["json_schema"] = new JsonObject { ["name"] = "answer", ["strict"] = strict, ["schema"] = JsonNode.Parse(schema) },
    };

    private static JsonObject Chat(JsonObject? format, int seed = 1) => new()
    {
        ["model"] = "tiny-gpt",
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = OpenAIDoor.Question }),
        ["temperature"] = 1,
        ["seed"] = seed,
        ["max_tokens"] = 96,
        ["response_format"] = format,
    };

    [Fact]
    public async Task Chat_completions_with_a_json_schema_answer_json_that_validates()
    {
        var schema = JsonSchema.FromText(Schema);
        for (var seed = 1; seed <= 5; seed++)
        {
            using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Chat(Format(Schema), seed));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var completion = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("stop", (string?)completion["choices"]![0]!["finish_reason"]);
            var content = (string)completion["choices"]![0]!["message"]!["content"]!;
            Assert.True(schema.Evaluate(JsonDocument.Parse(content).RootElement).IsValid, content);
        }
    }

    [Fact]
    public async Task Streamed_json_object_answers_are_json_objects()
    {
        var body = Chat(new JsonObject { ["type"] = "json_object" });
        body["stream"] = true;
        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", body);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e["data: ".Length..]).Where(e => e != "[DONE]").Select(e => JsonNode.Parse(e)!).ToList();
        var text = string.Concat(events.Select(e => (string?)e["choices"]![0]!["delta"]!["content"]));
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(text).RootElement.ValueKind);
        Assert.Equal("stop", (string?)events[^1]["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task Completions_take_response_format_too()
    {
        var body = new JsonObject { ["model"] = "tiny-gpt", ["prompt"] = "JSON:", ["max_tokens"] = 96, ["seed"] = 4, ["temperature"] = 1, ["response_format"] = Format(Schema) };
        using var response = await host.Http.PostAsJsonAsync("/v1/completions", body);
        var text = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["text"]!;
        Assert.True(JsonSchema.FromText(Schema).Evaluate(JsonDocument.Parse(text).RootElement).IsValid, text);
    }

    [Theory]
    [InlineData("""{"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "required": ["n"], "additionalProperties": false}""", true, "'minimum' at $.properties.n")]
    [InlineData("""{"type": "string", "pattern": "^a"}""", false, "'pattern' at $")]
    [InlineData("""{"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}""", true, "additionalProperties")]
    [InlineData("""{"type": "object", "properties": {"n": {"type": "integer"}, "m": {"type": "integer"}}, "required": ["n"], "additionalProperties": false}""", true, "'m'")]
    public async Task Schemas_outside_the_subset_are_400_naming_the_keyword(string schema, bool strict, string named)
    {
        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Chat(Format(schema, strict)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Contains(named, (string?)error["message"]);
    }

    [Fact]
    public async Task Strict_false_lets_optional_properties_out_and_still_validates()
    {
        const string optional = """{"type": "object", "properties": {"n": {"type": "integer"}, "m": {"type": "string"}}, "required": ["n"]}""";
        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Chat(Format(optional, strict: false)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var content = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["message"]!["content"]!;
        Assert.True(JsonSchema.FromText(optional).Evaluate(JsonDocument.Parse(content).RootElement).IsValid, content);
    }

    [Theory]
    [InlineData("""{"type": "xml"}""", "response_format")]
    [InlineData("""{"type": "json_schema"}""", "response_format")]
    [InlineData("""{"type": "json_schema", "json_schema": {"schema": {"type": "string"}}}""", "response_format")]
    public async Task Malformed_response_formats_are_400_naming_the_field(string format, string param)
    {
        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", Chat(JsonNode.Parse(format)!.AsObject()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["param"]);
    }

    [Fact]
    public async Task Grpc_chat_and_generate_take_a_response_format()
    {
        var chat = new ChatRequest
        {
            Model = "tiny-gpt",
            Parameters = new GenerationParameters { Temperature = 1, Seed = 9, MaxNewTokens = 96 },
            ResponseFormat = new ResponseFormat { Type = "json_schema", JsonSchema = Schema, Strict = true },
        };
        chat.Messages.Add(new V1.ChatMessage { Role = "user", Content = OpenAIDoor.Question });
        var (text, _, summary) = await host.TextGeneration.Chat(chat).CollectAsync();
        Assert.Equal(FinishReason.Stop, summary.FinishReason);
        Assert.True(JsonSchema.FromText(Schema).Evaluate(JsonDocument.Parse(text).RootElement).IsValid, text);

        var generate = new GenerateRequest { Model = "tiny-gpt", Prompt = "JSON:", Parameters = new GenerationParameters { Seed = 2, MaxNewTokens = 64 }, ResponseFormat = new ResponseFormat { Type = "json_object" } };
        var (objectText, _, _) = await host.TextGeneration.Generate(generate).CollectAsync();
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(objectText).RootElement.ValueKind);

        generate.ResponseFormat = new ResponseFormat { Type = "json_schema", JsonSchema = """{"type": "string", "maxLength": 3}""" };
        var error = await Assert.ThrowsAsync<RpcException>(() => host.TextGeneration.Generate(generate).CollectAsync());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("'maxLength'", error.Status.Detail);
    }
}
