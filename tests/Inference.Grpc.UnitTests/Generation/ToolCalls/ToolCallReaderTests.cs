using System.Text;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.ToolCalls;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Generation.ToolCalls;

/// <summary>
/// The streaming reader over real tokenizers, token by token as the generation stream hands them out (control tokens
/// with no text): what it releases as it goes plus what it gives at the end is exactly the parse of the whole answer,
/// text before a call goes out before the call ends, and what may start a call marker is held back.
/// </summary>
public sealed class ToolCallReaderTests
{
    public static TheoryData<string, string, string> Outputs => new()
    {
        { "Qwen3", "hermes", "I will look it up.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>" },
        { "Qwen3", "hermes", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Par\n</tool_call>" },
        { "Qwen3", "hermes", "It is 21 °C in Paris — mild for the season." },
        { "Llama 3.1", "llama3_json", "<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"location\": \"Paris\"}}" },
        { "Llama 3.1", "llama3_json", " {\"name\": \"get_weather\", \"parameters\": {\"location\": \"Paris\"}}; {\"name\": \"get_time\", \"parameters\": {}}" },
        { "Llama 3.1", "llama3_json", "Paris is sunny today.<|eot_id|>" },
        { "gpt-oss", "gpt_oss", "<|channel|>analysis<|message|>Need the weather tool.<|end|><|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\":\"Paris\"}<|call|>" },
        { "gpt-oss", "gpt_oss", "<|channel|>final<|message|>It is sunny.<|return|>" },
    };

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Released_content_and_the_end_reassemble_into_the_parse_of_the_whole_answer(string family, string parserName, string output)
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Family(family).Directory);
        var parser = ToolCallParsers.Resolve(parserName, null, tokenizer)!;
        var streamed = new ToolCallReader(tokenizer, parser);
        var whole = new ToolCallReader(tokenizer, parser);

        var content = new StringBuilder();
        foreach (var step in Steps(tokenizer, output))
        {
            content.Append(streamed.Append(step));
            whole.Append(step);
        }
        var end = streamed.Finish();
        content.Append(end.Content);
        var expected = whole.Parse();

        Assert.Equal(expected.Content, content.ToString());
        Assert.Equal(expected.Calls.Select(c => (c.Name, c.Arguments)), end.Calls.Select(c => (c.Name, c.Arguments)));
        // The parse sees the control tokens the stream's text leaves out: the calls of the recorded output come back.
        Assert.Equal(parser.Parse(output).Calls.Select(c => (c.Name, c.Arguments)), end.Calls.Select(c => (c.Name, c.Arguments)));
        Assert.DoesNotContain("<|", content.ToString());
    }

    [Fact]
    public void Text_before_a_call_is_released_before_the_call_ends_and_a_possible_marker_is_held()
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Family("Qwen3").Directory);
        var reader = new ToolCallReader(tokenizer, new HermesToolCallParser());

        Assert.Equal("Checking. ", reader.Append(new GenerationStep("Checking. <tool", null)));
        Assert.Equal("", reader.Append(new GenerationStep("_call>\n{\"name\": \"get_weather\", ", null)));
        Assert.Equal("", reader.Append(new GenerationStep("\"arguments\": {}}\n</tool_call>", null)));
        var end = reader.Finish();

        Assert.Equal("", end.Content);
        Assert.Equal("get_weather", Assert.Single(end.Calls).Name);
    }

    [Fact]
    public void A_held_back_start_that_turns_out_to_be_text_is_released()
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Family("Qwen3").Directory);
        var reader = new ToolCallReader(tokenizer, new HermesToolCallParser());

        Assert.Equal("a ", reader.Append(new GenerationStep("a <to", null)));
        Assert.Equal("<tomato> b", reader.Append(new GenerationStep("mato> b", null)));
        Assert.Equal(new ParsedAnswer("", []), reader.Finish());
    }

    [Fact]
    public void Whitespace_before_a_call_is_no_content()
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Family("Llama 3.1").Directory);
        var reader = new ToolCallReader(tokenizer, new Llama3JsonToolCallParser());

        Assert.Equal("", reader.Append(new GenerationStep("\n ", null)));
        Assert.Equal("", reader.Append(new GenerationStep("{\"name\": \"f\", \"parameters\": {}}", null)));
        var end = reader.Finish();

        Assert.Equal("", end.Content);
        Assert.Equal("f", Assert.Single(end.Calls).Name);
    }

    /// <summary>The output as the generation stream gives it: one step per token, control tokens without text.</summary>
    private static IEnumerable<GenerationStep> Steps(ModelTokenizer tokenizer, string output)
    {
        var ids = tokenizer.Encode(output, specialTokens: true, int.MaxValue, out _).ToList();
        if (tokenizer.SpecialTokens.TryGetValue("<|begin_of_text|>", out var bos) && ids[0] == bos) ids.RemoveAt(0);
        var utf8 = new Utf8StreamDecoder();
        foreach (var id in ids)
        {
            yield return new GenerationStep(tokenizer.IsSpecial(id) ? "" : utf8.Append(tokenizer.TokenBytes(id)), id);
        }
        yield return new GenerationStep(utf8.Flush(), null);
    }
}
