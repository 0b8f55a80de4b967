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

    [Fact]
    public void Hermes_calls_stream_their_id_and_name_first_then_the_arguments_in_pieces_that_reassemble_into_the_parse()
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Family("Qwen3").Directory);
        var parser = new HermesToolCallParser();
        const string output = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris, France\", \"unit\": \"celsius\"}}\n</tool_call>\n" +
            "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        var reader = new ToolCallReader(tokenizer, parser);

        var deltas = new List<ToolCallDelta>();
        var stepsWithDeltas = 0;
        foreach (var step in Steps(tokenizer, output))
        {
            Assert.Equal("", reader.Append(step));
            var taken = reader.TakeCallDeltas();
            if (taken.Count > 0) stepsWithDeltas++;
            deltas.AddRange(taken);
        }
        var end = reader.Finish();
        deltas.AddRange(reader.TakeCallDeltas(end));

        var expected = parser.Parse(output).Calls;
        Assert.Equal(expected.Select(c => (c.Name, c.Arguments)), end.Calls.Select(c => (c.Name, c.Arguments)));
        for (var index = 0; index < expected.Count; index++)
        {
            var pieces = deltas.Where(d => d.Index == index).ToList();
            Assert.True(pieces[0].IsHeader);
            Assert.Equal(end.Calls[index].Id, pieces[0].Id);
            Assert.Equal(expected[index].Name, pieces[0].Name);
            Assert.All(pieces.Skip(1), d => Assert.False(d.IsHeader));
            Assert.Equal(expected[index].Arguments, string.Concat(pieces.Select(d => d.Arguments)));
        }
        // The first call's arguments went out as the model wrote them, not in one piece at the end.
        Assert.True(deltas.Count(d => d.Index == 0 && !d.IsHeader) > 3);
        Assert.True(stepsWithDeltas > 3);
    }

    [Fact]
    public void A_streamed_call_whose_answer_ends_malformed_stands_as_streamed()
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Family("Qwen3").Directory);
        var reader = new ToolCallReader(tokenizer, new HermesToolCallParser());

        reader.Append(new GenerationStep("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Par", null));
        var streamed = reader.TakeCallDeltas();
        reader.Append(new GenerationStep("\n</tool_call>", null));
        Assert.Empty(reader.TakeCallDeltas()); // the closing tag ends the call's arguments: nothing of it goes out
        var end = reader.Finish();

        Assert.Equal(2, streamed.Count);
        Assert.Equal("{\"location\": \"Par", streamed[1].Arguments);
        Assert.Equal("", end.Content);
        var call = Assert.Single(end.Calls);
        Assert.Equal((streamed[0].Id, "get_weather", "{\"location\": \"Par"), (call.Id, call.Name, call.Arguments));
        Assert.Empty(reader.TakeCallDeltas(end));
        // Unstreamed, the same answer is a plain text answer, as before.
        Assert.Empty(new HermesToolCallParser().Parse("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Par\n</tool_call>").Calls);
    }

    [Fact]
    public void A_possible_closing_tag_at_the_end_of_open_arguments_is_held_back()
    {
        var partial = new HermesToolCallParser().ReadPartial("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"a\": \"x </tool");

        Assert.Equal(new PartialToolCall("f", "{\"a\": \"x"), Assert.Single(partial)); // the blank too: it may be before the tag
        Assert.Empty(new HermesToolCallParser().ReadPartial("<tool_call>\n{\"name\": \"f\", \"argu"));
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
