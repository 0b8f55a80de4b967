using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlStack.Inference.IntegrationTests.Generation;

namespace MlStack.Inference.IntegrationTests.OpenAI;

/// <summary>The OpenAI door's bytes on the wire, as curl, vLLM's and TGI's users see them: SSE framing, chunk and error objects.</summary>
public sealed class OpenAIWireTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    private static JsonObject Chat(bool stream, JsonObject? streamOptions = null) => new()
    {
        ["model"] = "tiny-gpt",
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = OpenAIDoor.Question }),
        ["temperature"] = 0,
        ["max_tokens"] = 12,
        ["ignore_eos"] = true, // vLLM's extension: the answer runs to max_tokens
        ["stream"] = stream,
        ["stream_options"] = streamOptions,
    };

    private async Task<List<string>> EventsAsync(JsonObject body)
    {
        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        // Every event is one "data: " line followed by a blank line.
        Assert.EndsWith("\n\n", text);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        Assert.All(events, e => Assert.StartsWith("data: ", e));
        return [.. events.Select(e => e["data: ".Length..])];
    }

    [Fact]
    public async Task A_stream_is_chat_completion_chunks_with_usage_on_the_last_and_ends_with_done()
    {
        var events = await EventsAsync(Chat(stream: true));

        Assert.Equal("[DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!.AsObject()).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", (string?)c["object"]));
        Assert.Single(chunks.Select(c => (string?)c["id"]).Distinct());
        Assert.Equal("assistant", (string?)chunks[0]["choices"]![0]!["delta"]!["role"]);
        var last = chunks[^1];
        Assert.Equal("length", (string?)last["choices"]![0]!["finish_reason"]);
        Assert.Equal(12, (int)last["usage"]!["completion_tokens"]!);
        Assert.All(chunks[..^1], c => Assert.Null(c["choices"]![0]!["finish_reason"]));
        var text = string.Concat(chunks.Select(c => (string?)c["choices"]![0]!["delta"]!["content"]));

        using var plain = await host.Http.PostAsJsonAsync("/v1/chat/completions", Chat(stream: false));
        var completion = JsonNode.Parse(await plain.Content.ReadAsStringAsync())!;
        Assert.Equal("chat.completion", (string?)completion["object"]);
        Assert.Equal(text, (string?)completion["choices"]![0]!["message"]!["content"]);
        Assert.Equal(12, (int)completion["usage"]!["completion_tokens"]!);
        Assert.Equal((int)completion["usage"]!["prompt_tokens"]! + 12, (int)completion["usage"]!["total_tokens"]!);
    }

    [Fact]
    public async Task With_include_usage_the_usage_comes_in_a_last_chunk_without_choices()
    {
        var events = await EventsAsync(Chat(stream: true, new JsonObject { ["include_usage"] = true }));

        var chunks = events[..^1].Select(e => JsonNode.Parse(e)!.AsObject()).ToList();
        var usage = chunks[^1];
        Assert.Empty(usage["choices"]!.AsArray());
        Assert.Equal(12, (int)usage["usage"]!["completion_tokens"]!);
        Assert.All(chunks[..^1], c => Assert.Null(c["usage"]));
        Assert.Equal("length", (string?)chunks[^2]["choices"]![0]!["finish_reason"]);
    }

    [Fact]
    public async Task Completions_continue_a_prompt_with_the_same_seeded_sample_every_time()
    {
        var body = new JsonObject { ["model"] = "tiny-gpt", ["prompt"] = "The dog", ["max_tokens"] = 10, ["temperature"] = 0.9, ["seed"] = 42, ["stop"] = "\n\n" };

        var first = JsonNode.Parse(await (await host.Http.PostAsJsonAsync("/v1/completions", body)).Content.ReadAsStringAsync())!;
        var second = JsonNode.Parse(await (await host.Http.PostAsJsonAsync("/v1/completions", body)).Content.ReadAsStringAsync())!;

        Assert.Equal("text_completion", (string?)first["object"]);
        Assert.StartsWith("cmpl-", (string?)first["id"]);
        var text = (string?)first["choices"]![0]!["text"];
        Assert.False(string.IsNullOrEmpty(text));
        Assert.Equal(text, (string?)second["choices"]![0]!["text"]);
        Assert.Equal("mlstack-tiny-gpt-1", (string?)first["system_fingerprint"]);
    }

    [Fact]
    public async Task Requests_on_the_door_count_in_the_generation_metrics_as_grpc_ones_do()
    {
        using var watcher = new GenerationMeterWatcher(host.Metrics, "tiny-gpt");

        using var response = await host.Http.PostAsJsonAsync("/v1/completions",
            new JsonObject { ["model"] = "tiny-gpt", ["prompt"] = "The cat", ["max_tokens"] = 6, ["ignore_eos"] = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(6, watcher.Generated);
    }

    [Fact]
    public async Task Embeddings_take_a_single_string_and_answer_floats()
    {
        using var response = await host.Http.PostAsJsonAsync("/v1/embeddings", new JsonObject { ["input"] = "A cat sleeps.", ["encoding_format"] = "float" });
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MlStack.Testing.InferenceHost.MiniLm, (string?)body["model"]);
        var data = Assert.Single(body["data"]!.AsArray());
        Assert.Equal("embedding", (string?)data!["object"]);
        Assert.Equal(384, data["embedding"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "{\"model\": \"tiny-gpt\", \"messages\": [", 400, null)]
    [InlineData("/v1/chat/completions", "{\"model\": \"tiny-gpt\"}", 400, "messages")]
    [InlineData("/v1/chat/completions", "{\"model\": \"tiny-gpt\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"logit_bias\": {\"x\": 2}}", 400, "logit_bias")]
    [InlineData("/v1/chat/completions", "{\"model\": \"tiny-gpt\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"temperature\": \"hot\"}", 400, "temperature")]
    [InlineData("/v1/completions", "{\"model\": \"tiny-gpt\", \"prompt\": \"Hi\", \"max_tokens\": 0}", 400, null)]
    [InlineData("/v1/embeddings", "{\"input\": [1, 2, 3]}", 400, "input")]
    [InlineData("/v1/embeddings", "{\"model\": \"tiny-gpt\", \"input\": \"Hi\"}", 400, null)]
    [InlineData("/v1/completions", "{\"model\": \"tiny-gpt:9\", \"prompt\": \"Hi\"}", 404, "model")]
    public async Task Errors_are_openai_error_objects(string path, string body, int status, string? param)
    {
        using var response = await host.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!.AsObject();
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.True(error.ContainsKey("param") && error.ContainsKey("code"));
        Assert.Equal(param, (string?)error["param"]);
        Assert.Equal(JsonValueKind.String, error["code"]!.GetValueKind());
    }

    [Fact]
    public async Task Unknown_model_ids_are_404_and_known_ones_are_described()
    {
        using var known = await host.Http.GetAsync("/v1/models/tiny-gpt:1");
        using var unknown = await host.Http.GetAsync("/v1/models/nothing");

        Assert.Equal("tiny-gpt:1", (string?)JsonNode.Parse(await known.Content.ReadAsStringAsync())!["id"]);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }
}
