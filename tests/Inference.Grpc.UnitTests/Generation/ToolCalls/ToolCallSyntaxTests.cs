using System.Text.Json;
using MlStack.Inference.Errors;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.ChatTemplates;
using MlStack.Inference.Generation.ToolCalls;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Generation.ToolCalls;

/// <summary>
/// Which syntax a model speaks, detected from its real chat template and tokenizer or set in model.json, and the
/// constraints of required and named tool choices: each is the family's syntax around a JSON value its parser reads
/// back as the call.
/// </summary>
public sealed class ToolCallSyntaxTests
{
    public static TheoryData<string, string, string?> Detected => new()
    {
        { "Qwen-Qwen2.5-7B-Instruct.jinja", "Qwen3", "hermes" },
        { "Qwen-Qwen3-0.6B.jinja", "Qwen3", "hermes" },
        { "meta-llama-Llama-3.1-8B-Instruct.jinja", "Llama 3.1", "llama3_json" },
        { "meta-llama-Llama-3.2-3B-Instruct.jinja", "Llama 3.1", "llama3_json" },
        { "mistralai-Mistral-Nemo-Instruct-2407.jinja", "Mistral 7B v0.1 (SentencePiece BPE, Llama 2 layout)", "mistral" },
        { "Mistral-Small-3.2-24B-Instruct-2506.jinja", "Mistral 7B v0.1 (SentencePiece BPE, Llama 2 layout)", "mistral" },
        { "openai-gpt-oss-120b.jinja", "gpt-oss", "gpt_oss" },
        { "google-gemma-2-2b-it.jinja", "Gemma 3", null },
    };

    [Theory]
    [MemberData(nameof(Detected))]
    public void The_syntax_is_detected_from_the_template_and_the_tokenizer(string template, string tokenizer, string? expected)
    {
        using var folder = new TestDirectory("mlstack-toolsyntax-");
        File.WriteAllText(Path.Combine(folder.Path, ChatTemplateSet.TemplateFileName),
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Generation", "ChatTemplates", "Templates", template)));

        var parser = ToolCallParsers.Resolve(null, ChatTemplateSet.Load(folder.Path), ModelTokenizer.Load(TokenizerReferences.Family(tokenizer).Directory));

        Assert.Equal(expected, parser?.Name);
    }

    [Fact]
    public void The_model_json_setting_wins_and_an_unknown_one_fails_the_load_naming_the_choices()
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Family("tiny-llama (shipped, Qwen2 layout)").Directory);

        Assert.Null(ToolCallParsers.Resolve(null, null, tokenizer));
        Assert.Equal("hermes", ToolCallParsers.Resolve("hermes", null, tokenizer)?.Name);
        Assert.Null(ToolCallParsers.Resolve("none", null, tokenizer));
        var error = Assert.Throws<InvalidDataException>(() => ToolCallParsers.Resolve("qwen", null, tokenizer));
        Assert.Contains("tool_call_parser", error.Message);
        Assert.Contains("llama3_json", error.Message);
    }

    private static readonly ToolDefinition GetWeather = new("get_weather", "The weather in a city",
        JsonDocument.Parse("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false}""").RootElement);

    private static readonly ToolDefinition GetTime = new("get_time", null, null);

    public static TheoryData<string, string> Calls => new()
    {
        { "hermes", """{"name":"get_weather","arguments":{"location":"Paris"}}""" },
        { "llama3_json", """{"name":"get_weather","parameters":{"location":"Paris"}}""" },
        { "mistral", """{"name":"get_weather","arguments":{"location":"Paris"}}""" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void A_required_choice_is_the_family_syntax_around_a_call_object_the_parser_reads_back(string name, string json)
    {
        var parser = ToolCallParsers.Resolve(name, null, TinyTokenizer)!;

        var constraint = parser.Constraint([GetWeather, GetTime], ToolChoice.Required);
        var call = Assert.Single(parser.Parse(constraint.Prefix + json + constraint.Suffix).Calls);

        Assert.Equal("get_weather", call.Name);
        Assert.Equal("""{"location":"Paris"}""", call.Arguments);
        var anyOf = constraint.Schema!.Value.GetProperty("anyOf").EnumerateArray().ToList();
        Assert.Equal(["get_weather", "get_time"], anyOf.Select(s => s.GetProperty("properties").GetProperty("name").GetProperty("const").GetString()));
        Assert.All(anyOf, s => Assert.False(s.GetProperty("additionalProperties").GetBoolean()));
    }

    [Fact]
    public void A_named_hermes_choice_is_the_call_object_of_that_tool_with_its_parameters()
    {
        var constraint = new HermesToolCallParser().Constraint([GetWeather, GetTime], new ToolChoice(ToolChoiceMode.Named, "get_weather"));

        Assert.Equal("<tool_call>\n", constraint.Prefix);
        Assert.Equal("\n</tool_call>", constraint.Suffix);
        var schema = constraint.Schema!.Value;
        Assert.Equal("get_weather", schema.GetProperty("properties").GetProperty("name").GetProperty("const").GetString());
        Assert.True(JsonElement.DeepEquals(GetWeather.Parameters!.Value, schema.GetProperty("properties").GetProperty("arguments")));
        Assert.Equal(["name", "arguments"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Syntaxes_that_name_the_function_outside_the_json_put_the_name_in_the_prefix()
    {
        var named = new ToolChoice(ToolChoiceMode.Named, "get_weather");
        var mistral = new MistralToolCallParser(argsSyntax: true).Constraint([GetWeather, GetTime], named);
        var gptOss = new GptOssToolCallParser().Constraint([GetWeather, GetTime], named);

        Assert.Equal("[TOOL_CALLS]get_weather[ARGS]", mistral.Prefix);
        Assert.True(JsonElement.DeepEquals(GetWeather.Parameters!.Value, mistral.Schema!.Value));
        Assert.Equal("get_weather", Assert.Single(new MistralToolCallParser(true).Parse(mistral.Prefix + """{"location":"Rome"}""").Calls).Name);
        Assert.Equal("<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>", gptOss.Prefix);
        Assert.Equal("get_weather", Assert.Single(new GptOssToolCallParser().Parse(gptOss.Prefix + """{"location":"Rome"}""").Calls).Name);
        var error = Assert.Throws<InferenceException>(() => new GptOssToolCallParser().Constraint([GetWeather, GetTime], ToolChoice.Required));
        Assert.Equal(InferenceErrorReason.InvalidArgument, error.Reason);
        Assert.Contains("name the function", error.Message);
    }

    [Fact]
    public void Tool_calls_and_results_reach_the_template_as_transformers_passes_them()
    {
        var turn = new ChatTurn("assistant", "") { ToolCalls = [new ToolCall("call_1", "get_weather", """{"location":"Paris"}""")] };
        var result = new ChatTurn("tool", "21 C") { ToolCallId = "call_1", Name = "get_weather" };

        var value = turn.ToTemplateValue();
        var call = (Dictionary<string, object?>)((List<object?>)value["tool_calls"]!)[0]!;
        var function = (Dictionary<string, object?>)call["function"]!;

        Assert.Equal("function", call["type"]);
        Assert.Equal("call_1", call["id"]);
        Assert.Equal("Paris", ((Dictionary<string, object?>)function["arguments"]!)["location"]);
        Assert.Equal("call_1", result.ToTemplateValue()["tool_call_id"]);
        Assert.Equal("get_weather", result.ToTemplateValue()["name"]);
    }

    private static ModelTokenizer TinyTokenizer => ModelTokenizer.Load(TokenizerReferences.Family("tiny-llama (shipped, Qwen2 layout)").Directory);
}
