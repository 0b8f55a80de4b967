using System.Text.Json;
using MlStack.Inference.Generation.ToolCalls;

namespace MlStack.Inference.UnitTests.Generation.ToolCalls;

/// <summary>
/// Each family's parser on outputs in the form those models write them (as their chat templates and model cards show
/// calls), and on malformed ones: an output that does not read as calls is a plain text answer, never an error.
/// </summary>
public sealed class ToolCallParserTests
{
    private const string Weather = """{"location": "Paris", "unit": "celsius"}""";

    [Fact]
    public void Hermes_reads_one_call_and_keeps_the_text_before_it()
    {
        var answer = new HermesToolCallParser().Parse(
            "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": " + Weather + "}\n</tool_call>");

        Assert.Equal("Let me check.\n", answer.Content);
        var call = Assert.Single(answer.Calls);
        Assert.Equal("get_weather", call.Name);
        AssertJson(Weather, call.Arguments);
        Assert.StartsWith("call_", call.Id);
        Assert.Equal(29, call.Id.Length);
    }

    [Fact]
    public void Hermes_reads_parallel_calls_with_distinct_ids()
    {
        var answer = new HermesToolCallParser().Parse(
            "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}\n</tool_call>\n" +
            "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}}\n</tool_call>");

        Assert.Equal("", answer.Content);
        Assert.Equal(["get_weather", "get_time"], answer.Calls.Select(c => c.Name));
        AssertJson("""{"zone": "CET"}""", answer.Calls[1].Arguments);
        Assert.NotEqual(answer.Calls[0].Id, answer.Calls[1].Id);
    }

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}\n<")] // max tokens inside the closing tag
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}\n</tool_c")]
    [InlineData("<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}</tool_call>")]
    public void Hermes_reads_a_call_whose_closing_tag_is_cut_or_unspaced(string output)
    {
        AssertJson("""{"location": "Paris"}""", Assert.Single(new HermesToolCallParser().Parse(output).Calls).Arguments);
    }

    [Fact]
    public void Hermes_accepts_a_last_call_cut_before_its_closing_tag_and_arguments_given_as_a_string()
    {
        var answer = new HermesToolCallParser().Parse("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": \"{\\\"location\\\": \\\"Paris\\\"}\"}\n");

        AssertJson("""{"location": "Paris"}""", Assert.Single(answer.Calls).Arguments);
    }

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Par\n</tool_call>")] // cut JSON
    [InlineData("<tool_call>\n{\"arguments\": {}}\n</tool_call>")] // no name
    [InlineData("<tool_call>\nget_weather(Paris)\n</tool_call>")] // not JSON
    [InlineData("<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call> and then some text")] // text after the calls
    [InlineData("<tool_call>\n{\"name\": \"a\", \"arguments\": [1, 2]}\n</tool_call>")] // arguments not an object
    public void A_malformed_hermes_call_is_a_plain_text_answer(string output)
    {
        var answer = new HermesToolCallParser().Parse(output);

        Assert.Empty(answer.Calls);
        Assert.Equal(output, answer.Content);
    }

    [Theory]
    [InlineData("{\"name\": \"get_weather\", \"parameters\": " + Weather + "}")]
    [InlineData("<|python_tag|>{\"name\": \"get_weather\", \"parameters\": " + Weather + "}")]
    [InlineData("  {\"name\": \"get_weather\", \"arguments\": " + Weather + "}")]
    public void Llama3_reads_the_json_call_with_or_without_the_python_tag(string output)
    {
        var call = Assert.Single(new Llama3JsonToolCallParser().Parse(output).Calls);

        Assert.Equal("get_weather", call.Name);
        AssertJson(Weather, call.Arguments);
    }

    [Fact]
    public void Llama3_reads_calls_separated_by_semicolons_as_parallel_calls()
    {
        var answer = new Llama3JsonToolCallParser().Parse(
            "{\"name\": \"get_weather\", \"parameters\": {\"location\": \"Paris\"}}; {\"name\": \"get_weather\", \"parameters\": {\"location\": \"Rome\"}}");

        Assert.Equal(2, answer.Calls.Count);
        AssertJson("""{"location": "Rome"}""", answer.Calls[1].Arguments);
    }

    [Theory]
    [InlineData("The weather in Paris is mild. {\"name\": \"get_weather\", \"parameters\": {}}")] // a call not at the start is text
    [InlineData("{\"location\": \"Paris\"}")] // JSON that is no call
    [InlineData("{\"name\": \"get_weather\", \"parameters\": {\"location\": ")] // cut
    [InlineData("{\"name\": \"a\", \"parameters\": {}} {\"name\": \"b\", \"parameters\": {}}")] // no separator
    public void A_llama3_answer_that_is_no_call_is_plain_text(string output)
    {
        var answer = new Llama3JsonToolCallParser().Parse(output);

        Assert.Empty(answer.Calls);
        Assert.Equal(output, answer.Content);
    }

    [Fact]
    public void Mistral_reads_the_json_array_of_its_v3_tokenizer()
    {
        var answer = new MistralToolCallParser(argsSyntax: false).Parse(
            "[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}}, {\"name\": \"get_time\", \"arguments\": {}}]");

        Assert.Equal(["get_weather", "get_time"], answer.Calls.Select(c => c.Name));
        Assert.All(answer.Calls, c => Assert.Matches("^[A-Za-z0-9]{9}$", c.Id));
    }

    [Fact]
    public void Mistral_reads_the_name_args_syntax_of_its_v11_tokenizer()
    {
        var answer = new MistralToolCallParser(argsSyntax: true).Parse(
            "[TOOL_CALLS]get_weather[ARGS]{\"location\": \"Paris\"}[TOOL_CALLS]get_time[CALL_ID]a1b2c3d4e[ARGS]{\"zone\": \"CET\"}");

        Assert.Equal(["get_weather", "get_time"], answer.Calls.Select(c => c.Name));
        AssertJson("""{"zone": "CET"}""", answer.Calls[1].Arguments);
    }

    [Theory]
    [InlineData("[TOOL_CALLS][{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}")] // cut array
    [InlineData("[TOOL_CALLS]get_weather{\"location\": \"Paris\"}")] // no [ARGS]
    [InlineData("[TOOL_CALLS][{\"arguments\": {}}]")] // no name
    public void A_malformed_mistral_call_is_a_plain_text_answer(string output)
    {
        var answer = new MistralToolCallParser(argsSyntax: true).Parse(output);

        Assert.Empty(answer.Calls);
        Assert.Equal(output, answer.Content);
    }

    [Fact]
    public void Gpt_oss_reads_a_commentary_call_after_its_analysis()
    {
        var answer = new GptOssToolCallParser().Parse(
            "<|channel|>analysis<|message|>The user wants the weather; call the tool.<|end|><|start|>assistant" +
            "<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>" + Weather + "<|call|>");

        Assert.Equal("", answer.Content);
        var call = Assert.Single(answer.Calls);
        Assert.Equal("get_weather", call.Name);
        AssertJson(Weather, call.Arguments);
    }

    [Fact]
    public void Gpt_oss_reads_the_recipient_in_the_role_header_too()
    {
        var answer = new GptOssToolCallParser().Parse(" to=functions.get_weather<|channel|>commentary json<|message|>" + Weather + "<|call|>");

        Assert.Equal("get_weather", Assert.Single(answer.Calls).Name);
    }

    [Theory]
    [InlineData("<|channel|>analysis<|message|>Easy.<|end|><|start|>assistant<|channel|>final<|message|>It is sunny.<|return|>", "It is sunny.")]
    [InlineData("<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{\"location\": <|call|>", "commentary to=functions.get_weather json{\"location\": ")]
    public void A_gpt_oss_answer_without_a_readable_call_is_its_final_channel_or_its_text_without_control_tokens(string output, string text)
    {
        var answer = new GptOssToolCallParser().Parse(output);

        Assert.Empty(answer.Calls);
        Assert.Equal(text, answer.Content);
    }

    [Fact]
    public void Plain_text_without_any_marker_is_the_answer_for_every_family()
    {
        ToolCallParser[] parsers = [new HermesToolCallParser(), new Llama3JsonToolCallParser(), new MistralToolCallParser(false), new GptOssToolCallParser()];

        Assert.All(parsers, p => Assert.Equal(new ParsedAnswer("It is sunny in Paris.", []), p.Parse("It is sunny in Paris."), ParsedEquality));
    }

    private static readonly IEqualityComparer<ParsedAnswer> ParsedEquality = EqualityComparer<ParsedAnswer>.Create(
        (a, b) => a!.Content == b!.Content && a.Calls.SequenceEqual(b.Calls), a => a.Content.GetHashCode());

    private static void AssertJson(string expected, string actual) =>
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, JsonDocument.Parse(actual).RootElement), $"{actual} is not {expected}");
}
