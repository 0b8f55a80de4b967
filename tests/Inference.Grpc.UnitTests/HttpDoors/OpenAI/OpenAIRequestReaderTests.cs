using System.Text.Json;
using MlStack.Inference.HttpDoors;
using MlStack.Inference.HttpDoors.OpenAI;

namespace MlStack.Inference.UnitTests.HttpDoors.OpenAI;

public sealed class OpenAIRequestReaderTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void A_chat_request_becomes_the_generation_request_of_the_grpc_api()
    {
        var call = OpenAIRequestReader.ReadChat(Json("""
            {"model": "tiny-llama:2", "user": "alice", "cache_salt": "tenant-7", "stream": true, "stream_options": {"include_usage": true},
             "max_completion_tokens": 30, "temperature": 0.2, "presence_penalty": 0,
             "messages": [{"role": "developer", "content": "Be brief."},
                          {"role": "user", "content": [{"type": "text", "text": "Hello, "}, {"type": "text", "text": "world"}]},
                          {"role": "assistant", "content": null}]}
            """));

        Assert.Equal(new ModelReference("tiny-llama", "2"), call.Model);
        Assert.Equal("tiny-llama", call.Request.Model);
        Assert.Equal("2", call.Request.Version);
        Assert.Equal("alice", call.Request.ConversationKey);
        Assert.Equal("tenant-7", call.Request.CacheSalt);
        Assert.True(call.Stream);
        Assert.True(call.IncludeUsage);
        Assert.Equal(30, call.Request.Parameters.MaxNewTokens);
        Assert.Equal(0.2f, call.Request.Parameters.Temperature);
        Assert.Equal([new("system", "Be brief."), new("user", "Hello, world"), new("assistant", "")], call.Request.Messages!);
    }

    [Fact]
    public void A_completion_request_takes_one_prompt()
    {
        var call = OpenAIRequestReader.ReadCompletion(Json("""{"model": "tiny-gpt", "prompt": ["The dog"], "stop": ["\n"]}"""));

        Assert.Equal("The dog", call.Request.Prompt);
        Assert.False(call.Stream);
        Assert.Equal(["\n"], call.Request.Parameters.Stop);
    }

    [Theory]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": "function"}]}""", "tools")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "logprobs": 3}""", "logprobs")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "audio": {"voice": "alloy"}}""", "audio")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "modalities": ["text", "audio"]}""", "modalities")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "prediction": {"type": "content", "content": "x"}}""", "prediction")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "web_search_options": {}}""", "web_search_options")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "store": true}""", "store")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "logit_bias": {"abc": 1}}""", "logit_bias")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "logit_bias": {"5": "high"}}""", "logit_bias")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "logit_bias": [1]}""", "logit_bias")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 5, "max_completion_tokens": 6}""", "max_completion_tokens")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "presence_penalty": "a lot"}""", "presence_penalty")]
    [InlineData("""{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}""", "messages")]
    [InlineData("""{"messages": "Hi"}""", "messages")]
    [InlineData("""{"messages": [{"content": "Hi"}]}""", "messages")]
    [InlineData("""{"messages": [{"role": "user", "content": "Hi"}], "stream": "yes"}""", "stream")]
    public void What_this_server_cannot_honour_is_refused_by_name(string json, string param)
    {
        var error = Assert.Throws<HttpDoorException>(() => OpenAIRequestReader.ReadChat(Json(json)));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData("""{"prompt": ["a", "b"]}""", "prompt")]
    [InlineData("""{"model": "m"}""", "prompt")]
    [InlineData("""{"prompt": "a", "echo": true}""", "echo")]
    [InlineData("""{"prompt": "a", "top_logprobs": 2}""", "top_logprobs")]
    [InlineData("""{"prompt": "a", "logprobs": true}""", "logprobs")]
    [InlineData("""{"prompt": "a", "n": 2, "best_of": 3}""", "best_of")]
    public void Completions_refuse_what_they_cannot_do(string json, string param)
    {
        Assert.Equal(param, Assert.Throws<HttpDoorException>(() => OpenAIRequestReader.ReadCompletion(Json(json))).Param);
    }

    [Fact]
    public void Chat_reads_n_logprobs_penalties_logit_bias_and_user()
    {
        var call = OpenAIRequestReader.ReadChat(Json("""
            {"messages": [{"role": "user", "content": "Hi"}], "n": 3, "logprobs": true, "top_logprobs": 4, "seed": 9,
             "presence_penalty": 0.5, "frequency_penalty": -1, "logit_bias": {"50256": -100, "7": 2.5}, "user": "alice",
             "max_tokens": 8, "max_completion_tokens": 8, "modalities": ["text"], "store": false}
            """));

        var p = call.Request.Parameters;
        Assert.Equal(3, p.Choices);
        Assert.True(p.Logprobs);
        Assert.Equal(4, p.TopLogprobs);
        Assert.Equal(0.5f, p.PresencePenalty);
        Assert.Equal(-1f, p.FrequencyPenalty);
        Assert.Equal(new Dictionary<int, float> { [50256] = -100f, [7] = 2.5f }, p.LogitBias);
        Assert.Equal(8, p.MaxNewTokens);
        Assert.Equal("alice", call.Request.User);
        Assert.True(call.Logprobs);
    }

    [Fact]
    public void Completions_logprobs_is_the_number_of_alternatives()
    {
        var with = OpenAIRequestReader.ReadCompletion(Json("""{"prompt": "a", "logprobs": 0, "n": 2, "best_of": 2}"""));
        var without = OpenAIRequestReader.ReadCompletion(Json("""{"prompt": "a"}"""));

        Assert.True(with.Request.Parameters.Logprobs);
        Assert.Equal(0, with.Request.Parameters.TopLogprobs);
        Assert.Equal(2, with.Request.Parameters.Choices);
        Assert.False(without.Request.Parameters.Logprobs);
        Assert.Null(without.Request.Parameters.TopLogprobs);
    }

    [Fact]
    public void Embeddings_take_a_string_or_strings_as_float_or_base64()
    {
        var one = OpenAIRequestReader.ReadEmbeddings(Json("""{"input": "Hi", "model": "all-MiniLM-L6-v2"}"""));
        var many = OpenAIRequestReader.ReadEmbeddings(Json("""{"input": ["a", "b"], "encoding_format": "base64", "dimensions": 384}"""));

        Assert.Equal(["Hi"], one.Input);
        Assert.False(one.Base64);
        Assert.Equal(["a", "b"], many.Input);
        Assert.True(many.Base64);
        Assert.Equal(384, many.Dimensions);
        Assert.True(many.Model.IsEmpty);
        Assert.Equal("encoding_format", Assert.Throws<HttpDoorException>(() =>
            OpenAIRequestReader.ReadEmbeddings(Json("""{"input": "a", "encoding_format": "int8"}"""))).Param);
        Assert.Equal("input", Assert.Throws<HttpDoorException>(() => OpenAIRequestReader.ReadEmbeddings(Json("""{"input": [[1, 2]]}"""))).Param);
    }
}
