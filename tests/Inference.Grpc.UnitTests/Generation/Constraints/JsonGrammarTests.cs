using System.Text;
using System.Text.Json;
using MlStack.Inference.Errors;
using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.UnitTests.Generation.Constraints;

/// <summary>The compiled grammar on hand-written byte strings: what it accepts whole, what it refuses, and where.</summary>
public class JsonGrammarTests
{
    private const string Person = """
        {"type": "object", "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "height": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "role": {"enum": ["admin", "user", 3, null]},
            "nick": {"type": ["string", "null"]},
            "ok": {"type": "boolean"}
        }, "required": ["name", "age", "height", "tags", "role", "nick", "ok"], "additionalProperties": false}
        """;

    private static JsonGrammar Grammar(string? schema, string prefix = "", string suffix = "", bool strict = false) =>
        new(new OutputConstraint { Schema = schema is null ? null : JsonDocument.Parse(schema).RootElement.Clone(), Prefix = prefix, Suffix = suffix, Strict = strict });

    /// <summary>Accepted whole: the bytes stay in the grammar and the output may end after them.</summary>
    private static bool Complete(JsonGrammar grammar, byte[] text)
    {
        var state = grammar.Initial.Advance(text);
        return !state.IsDead && state.CanFinish;
    }

    private static bool Complete(JsonGrammar grammar, string text) => Complete(grammar, Encoding.UTF8.GetBytes(text));

    private static bool Prefix(JsonGrammar grammar, string text) => !grammar.Initial.Advance(Encoding.UTF8.GetBytes(text)).IsDead;

    [Theory]
    [InlineData("""{"name":"Ann","age":41,"height":1.72,"tags":[],"role":"admin","nick":null,"ok":true}""")]
    [InlineData("""{"name": "A\"n\\n\/\b\f\n\r\t\u00e9\uD83D\uDE00", "age": -0, "height": -12.5e+10, "tags": ["x", "y"], "role": 3, "nick": "é日本😀", "ok": false}""")]
    [InlineData("""{"name":"","age":0,"height":0E0,"tags":[""],"role":null,"nick":"x","ok":true}""")]
    [InlineData("""{"name":"","age":1234567890,"height":0.000001,"tags":[],"role":"user","nick":null,"ok":true}""")]
    public void Accepts_values_of_the_schema(string json)
    {
        Assert.True(Complete(Grammar(Person), json), json);
    }

    [Theory]
    [InlineData("""{"name":"Ann","age":41,"height":1.72,"tags":[],"role":"admin","nick":null}""")] // ok missing
    [InlineData("""{"age":41,"name":"Ann","height":1.72,"tags":[],"role":"admin","nick":null,"ok":true}""")] // order
    [InlineData("""{"name":"Ann","age":4.1,"height":1.72,"tags":[],"role":"admin","nick":null,"ok":true}""")] // integer
    [InlineData("""{"name":"Ann","age":041,"height":1.72,"tags":[],"role":"admin","nick":null,"ok":true}""")] // leading zero
    [InlineData("""{"name":"Ann","age":41,"height":1.,"tags":[],"role":"admin","nick":null,"ok":true}""")]
    [InlineData("""{"name":"Ann","age":41,"height":.5,"tags":[],"role":"admin","nick":null,"ok":true}""")]
    [InlineData("""{"name":"Ann","age":+41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true}""")]
    [InlineData("""{"name":"Ann","age":41,"height":1,"tags":[],"role":"Admin","nick":null,"ok":true}""")] // enum
    [InlineData("""{"name":"Ann","age":41,"height":1,"tags":[1],"role":"admin","nick":null,"ok":true}""")] // items
    [InlineData("""{"name":"Ann","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true,"x":1}""")] // extra
    [InlineData("""{"name":"A\x","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true}""")] // escape
    [InlineData("""{"name":"\ud800","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true}""")] // lone surrogate escape
    [InlineData("""{"name":"\udc00","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true}""")] // lone low surrogate
    [InlineData("""{"name":"\ud83dx","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true}""")] // high without low
    [InlineData("""{"name":"\u12","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true}""")]
    [InlineData("""{ "name":"Ann","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true}""")] // space after {
    [InlineData("""{"name":  "Ann","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true}""")] // two spaces
    [InlineData("""{"name":"Ann","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true} """)] // trailing
    [InlineData("""{"name":"Ann","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":tru}""")]
    [InlineData("""{"name":"Ann","age":41,"height":1,"tags":[],"role":"admin","nick":null,"ok":true""")] // unfinished
    public void Refuses_what_breaks_the_schema_or_json(string json)
    {
        Assert.False(Complete(Grammar(Person), json), json);
    }

    [Fact]
    public void Strings_take_only_valid_utf8_and_no_control_characters()
    {
        var grammar = Grammar("""{"type": "string"}""");
        Assert.True(Complete(grammar, [(byte)'"', 0xC3, 0xA9, 0xE6, 0x97, 0xA5, 0xF0, 0x9F, 0x98, 0x80, (byte)'"']));
        Assert.False(Complete(grammar, [(byte)'"', 0xC3, (byte)'"'])); // a lead byte without its continuation
        Assert.False(Complete(grammar, [(byte)'"', 0xFF, (byte)'"']));
        Assert.False(Complete(grammar, [(byte)'"', 0x80, (byte)'"'])); // a continuation byte alone
        Assert.False(Complete(grammar, [(byte)'"', (byte)'\n', (byte)'"']));
        // A token may end inside a character: the state waits for the rest.
        Assert.False(grammar.Initial.Advance([(byte)'"', 0xE6, 0x97]).IsDead);
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-0", true)]
    [InlineData("10", true)]
    [InlineData("1.25", true)]
    [InlineData("1e5", true)]
    [InlineData("1E-5", true)]
    [InlineData("-", false)]
    [InlineData("00", false)]
    [InlineData("1e", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1e1234", false)] // exponent over 3 digits
    [InlineData("1234567890123456789", false)] // integer part over 18 digits
    public void Numbers_follow_json(string text, bool valid)
    {
        Assert.Equal(valid, Complete(Grammar("""{"type": "number"}"""), text));
    }

    [Fact]
    public void Enums_that_extend_each_other_end_where_a_byte_decides()
    {
        var grammar = Grammar("""{"type": "object", "properties": {"n": {"enum": [1, 12, "a", "ab"]}}, "required": ["n"], "additionalProperties": false}""");
        foreach (var value in new[] { "1", "12", "\"a\"", "\"ab\"" }) Assert.True(Complete(grammar, $$"""{"n":{{value}}}"""), value);
        Assert.False(Complete(grammar, """{"n":123}"""));
        Assert.False(Complete(grammar, """{"n":"abc"}"""));
    }

    [Fact]
    public void Optional_properties_may_be_left_out_in_order()
    {
        var grammar = Grammar("""{"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}, "c": {"type": "integer"}}, "required": ["b"]}""");
        Assert.True(Complete(grammar, """{"b":1}"""));
        Assert.True(Complete(grammar, """{"a":1,"b":2,"c":3}"""));
        Assert.True(Complete(grammar, """{"a":1, "b":2}"""));
        Assert.False(Complete(grammar, """{"a":1}"""));
        Assert.False(Complete(grammar, """{"b":1,"a":2}"""));
        Assert.False(Complete(grammar, """{}"""));
    }

    [Fact]
    public void Refs_and_recursion_compile_and_match()
    {
        var grammar = Grammar("""
            {"$defs": {"node": {"type": "object", "properties": {"v": {"type": "integer"}, "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}},
                                "required": ["v", "next"], "additionalProperties": false}},
             "$ref": "#/$defs/node"}
            """);
        Assert.True(Complete(grammar, """{"v":1,"next":{"v":2,"next":{"v":3,"next":null}}}"""));
        Assert.False(Complete(grammar, """{"v":1,"next":{"v":2}}"""));
        Assert.Equal("""{"v":0,"next":null}""".Length, grammar.Root.MinLength);
    }

    [Fact]
    public void Json_object_mode_takes_any_object_and_nothing_else()
    {
        var grammar = Grammar(null);
        Assert.True(Complete(grammar, """{}"""));
        Assert.True(Complete(grammar, """{"a":[1,{"b":null},"x",true,false,-2.5e3],"c":{}}"""));
        Assert.False(Complete(grammar, """[1]"""));
        Assert.False(Complete(grammar, "\"text\""));
        Assert.False(Complete(grammar, """{"a":tru}"""));
    }

    [Fact]
    public void Prefix_and_suffix_are_exact_and_nothing_follows_them()
    {
        var grammar = Grammar("""{"type": "object", "properties": {"name": {"const": "get_weather"}, "arguments": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"], "additionalProperties": false}}, "required": ["name", "arguments"], "additionalProperties": false}""",
            "<tool_call>\n", "\n</tool_call>");
        const string call = """<tool_call>\n{"name":"get_weather","arguments":{"city":"Paris"}}\n</tool_call>""";
        var text = call.Replace("\\n", "\n");
        var state = grammar.Initial.Advance(Encoding.UTF8.GetBytes(text));
        Assert.True(state.IsDone);
        Assert.True(state.Advance("x"u8).IsDead);
        Assert.False(Complete(grammar, text[..^1]));
        Assert.False(Prefix(grammar, "<tool_call>{"));
        Assert.False(Prefix(grammar, """<tool_call>\n{"name":"other""".Replace("\\n", "\n")));
    }

    [Fact]
    public void Minimal_bytes_to_finish_count_what_must_still_be_written()
    {
        var grammar = Grammar("""{"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "array", "items": {"type": "integer"}}}, "required": ["a", "b"], "additionalProperties": false}""");
        Assert.Equal("""{"a":"","b":[]}""".Length, grammar.Initial.MinTokensToFinish);
        Assert.Equal("\",\"b\":[]}".Length, grammar.Initial.Advance("""{"a":"xyz"""u8).MinTokensToFinish);
        Assert.Equal("]}".Length, grammar.Initial.Advance("""{"a":"","b":[1,2"""u8).MinTokensToFinish);
        Assert.Equal(0, grammar.Initial.Advance("""{"a":"","b":[]}"""u8).MinTokensToFinish);
    }

    [Theory]
    [InlineData("""{"type": "string", "minLength": 2}""", "minLength", "$")]
    [InlineData("""{"type": "object", "properties": {"age": {"type": "integer", "minimum": 0}}}""", "minimum", "$.properties.age")]
    [InlineData("""{"type": "object", "properties": {"s": {"type": "string", "pattern": "a+"}}}""", "pattern", "$.properties.s")]
    [InlineData("""{"type": "array", "items": {"type": "string", "format": "date"}}""", "format", "$.items")]
    [InlineData("""{"oneOf": [{"type": "string"}]}""", "oneOf", "$")]
    [InlineData("""{"type": "object", "properties": {"a": {"allOf": []}}}""", "allOf", "$.properties.a")]
    public void Keywords_outside_the_subset_are_refused_by_name_and_path(string schema, string keyword, string path)
    {
        var error = Assert.Throws<InferenceException>(() => Grammar(schema));
        Assert.Equal(InferenceErrorReason.InvalidArgument, error.Reason);
        Assert.Contains($"'{keyword}'", error.Message);
        Assert.Contains($"at {path} ", error.Message);
    }

    [Theory]
    [InlineData("""{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}""", "additionalProperties")]
    [InlineData("""{"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["a"], "additionalProperties": false}""", "'b'")]
    [InlineData("""{"type": "array"}""", "items")]
    public void Strict_mode_holds_openai_rules(string schema, string named)
    {
        var error = Assert.Throws<InferenceException>(() => Grammar(schema, strict: true));
        Assert.Contains(named, error.Message);
        _ = Grammar(schema, strict: false); // the same schema outside strict mode compiles
    }

    [Fact]
    public void Endless_recursion_is_refused()
    {
        var error = Assert.Throws<InferenceException>(() => Grammar("""{"$defs": {"n": {"type": "object", "properties": {"next": {"$ref": "#/$defs/n"}}, "required": ["next"], "additionalProperties": false}}, "$ref": "#/$defs/n"}"""));
        Assert.Contains("recursion", error.Message);
    }
}
