using System.Buffers;
using System.Text.Json.Nodes;
using MlStack.Inference.Generation;
using MlStack.Inference.HttpDoors.OpenAI;

namespace MlStack.Inference.UnitTests.HttpDoors.OpenAI;

public sealed class OpenAIJsonTests
{
    private static readonly GenerationResult Finished = new(FinishReasons.Length, 5, 3, TimeSpan.Zero, 0, TimeSpan.Zero, null, 1, CachedPromptTokens: 4);

    private static JsonObject Write(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }

    private static OpenAIJson.Answer Answer(string kind, bool chat) => new("id-1", kind, 1700000000, "tiny-gpt", "mlstack-tiny-gpt-1", chat);

    [Fact]
    public void A_chunk_has_a_delta_and_a_null_finish_reason_until_the_end()
    {
        var first = Write(o => OpenAIJson.WriteChoice(o, Answer(OpenAIJson.ChatCompletionChunk, true), "Hel", true, null, null));
        var last = Write(o => OpenAIJson.WriteChoice(o, Answer(OpenAIJson.ChatCompletionChunk, true), null, false, "length", Finished));

        Assert.Equal("""{"role":"assistant","content":"Hel"}""", first["choices"]![0]!["delta"]!.ToJsonString());
        Assert.True(first["choices"]![0]!.AsObject().ContainsKey("finish_reason"));
        Assert.Null(first["choices"]![0]!["finish_reason"]);
        Assert.Null(first["usage"]);
        Assert.Equal("{}", last["choices"]![0]!["delta"]!.ToJsonString());
        Assert.Equal("length", (string?)last["choices"]![0]!["finish_reason"]);
        Assert.Equal("""{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8,"prompt_tokens_details":{"cached_tokens":4}}""", last["usage"]!.ToJsonString());
    }

    [Fact]
    public void A_usage_chunk_has_no_choices()
    {
        var usage = Write(o => OpenAIJson.WriteChoice(o, Answer(OpenAIJson.ChatCompletionChunk, true), null, false, null, Finished));

        Assert.Empty(usage["choices"]!.AsArray());
        Assert.Equal(8, (int)usage["usage"]!["total_tokens"]!);
    }

    [Fact]
    public void Whole_answers_carry_a_message_or_a_text()
    {
        var chat = Write(o => OpenAIJson.WriteChoice(o, Answer(OpenAIJson.ChatCompletion, true), "Hi", true, "stop", Finished));
        var text = Write(o => OpenAIJson.WriteChoice(o, Answer(OpenAIJson.TextCompletion, false), "Hi", true, "stop", Finished));

        Assert.Equal("""{"role":"assistant","content":"Hi"}""", chat["choices"]![0]!["message"]!.ToJsonString());
        Assert.Equal("Hi", (string?)text["choices"]![0]!["text"]);
        Assert.Equal("text_completion", (string?)text["object"]);
        Assert.Equal(1700000000, (long)text["created"]!);
    }

    [Theory]
    [InlineData(FinishReasons.Stop, "stop")]
    [InlineData(FinishReasons.Length, "length")]
    [InlineData(FinishReasons.Cancelled, "stop")]
    public void Finish_reasons_are_openai_ones(string ours, string theirs)
    {
        Assert.Equal(theirs, OpenAIJson.FinishReason(Finished with { FinishReason = ours }));
    }
}
