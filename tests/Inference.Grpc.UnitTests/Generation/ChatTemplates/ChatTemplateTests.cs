using MlStack.Inference.Generation.ChatTemplates;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class ChatTemplateTests
{
    /// <summary>The ChatML format, written out: the server no longer falls back to it, but the shipped templates render it.</summary>
    private const string ChatMl =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private static readonly (string, string)[] Conversation = [("system", "Be brief."), ("user", "Hi!"), ("assistant", "Hello."), ("user", "Bye")];

    [Fact]
    public void ChatMl_renders_each_message_and_the_generation_prompt()
    {
        var text = new ChatTemplate(ChatMl).Render(Conversation[1..2]);
        Assert.Equal("<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void The_shipped_models_template_file_renders_like_chatml()
    {
        var template = ShippedTemplate("tiny-gpt");
        Assert.Equal(new ChatTemplate(ChatMl).Render(Conversation), template.Render(Conversation));
    }

    [Fact]
    public void Tiny_llamas_template_adds_its_corpus_system_prompt_to_a_conversation_without_one()
    {
        var text = ShippedTemplate("tiny-llama").Render([("user", "What is 2 plus 3?")]);
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2 plus 3?<|im_end|>\n<|im_start|>assistant\n",
            text);
    }

    [Fact]
    public void Tiny_llamas_template_keeps_a_given_system_prompt_once_and_renders_every_turn_as_chatml()
    {
        var template = ShippedTemplate("tiny-llama");
        Assert.Equal(new ChatTemplate(ChatMl).Render(Conversation), template.Render(Conversation));
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n",
            template.Render(Conversation, addGenerationPrompt: false));
    }

    private static ChatTemplate ShippedTemplate(string model)
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.GeneratorVersionDirectory(model), "tokenizer_config.json")));
        return new ChatTemplate(json.RootElement.GetProperty("chat_template").GetString()!);
    }

    // The structure of Qwen2-style templates: a default system prompt when the conversation has none,
    // whitespace control, loop.first, elif chains, dictionary and attribute access.
    private const string QwenStyle = """
        {%- if messages[0]['role'] == 'system' %}
            {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
        {%- else %}
            {{- '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}
        {%- endif %}
        {%- for message in messages %}
            {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant") %}
                {{- '<|im_start|>' + message.role + '\n' + message.content | trim + '<|im_end|>' + '\n' }}
            {%- elif message.role == "tool" %}
                {{- '<|im_start|>user\n<tool_response>\n' + message.content + '\n</tool_response><|im_end|>\n' }}
            {%- endif %}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant\n' }}
        {%- endif %}
        """;

    [Fact]
    public void A_qwen_style_template_with_whitespace_control_adds_the_default_system_prompt()
    {
        var text = new ChatTemplate(QwenStyle).Render([("user", "  Hi!  ")]);
        Assert.Equal("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void A_qwen_style_template_keeps_a_given_system_prompt_once()
    {
        var text = new ChatTemplate(QwenStyle).Render(Conversation, addGenerationPrompt: false);
        Assert.Equal(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n",
            text);
    }

    // Consecutive tool results share one user turn; assistant turns without tool calls render plainly.
    private const string ToolTurns = """
        {%- for message in messages %}
            {%- if message.role == "assistant" and not message.tool_calls %}
                {{- '[A:' + message.content + ']' }}
            {%- elif message.role == "tool" %}
                {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
                    {{- '[U' }}
                {%- endif %}
                {{- ' ' + message.content }}
                {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                    {{- ']' }}
                {%- endif %}
            {%- endif %}
            {%- for call in message.tool_calls %}{{ call }}{% endfor %}
        {%- endfor %}
        """;

    [Fact]
    public void Tool_results_in_a_row_share_one_turn()
    {
        var text = new ChatTemplate(ToolTurns).Render([("assistant", "calling"), ("tool", "r1"), ("tool", "r2"), ("assistant", "done"), ("tool", "r3")]);
        Assert.Equal("[A:calling][U r1 r2][A:done][U r3]", text);
    }

    [Fact]
    public void Trim_blocks_and_lstrip_blocks_remove_the_layout_of_block_tags()
    {
        const string template = "{% for m in messages %}\n    {% if loop.last %}\n[{{ m.content }}]\n    {% endif %}\n{% endfor %}";
        Assert.Equal("[Bye]\n", new ChatTemplate(template).Render(Conversation));
    }

    [Fact]
    public void Namespaces_slices_filters_and_tests_work_as_in_jinja()
    {
        const string template =
            "{% set ns = namespace(n=0) %}{% for m in messages[1:] if m.role == 'user' %}{% set ns.n = ns.n + 1 %}{% endfor %}" +
            "{{ ns.n }}|{{ messages | length }}|{{ messages[-1].content | upper }}|{{ 'x' if foo is defined else 'y' }}|" +
            "{{ messages[0].content.startswith('Be') }}|{{ messages[0] | tojson }}|{{ bos_token ~ '!' }}";
        var text = new ChatTemplate(template).Render(Conversation, variables: new Dictionary<string, object?> { ["bos_token"] = "<s>" });
        Assert.Equal("2|4|BYE|y|True|{\"role\": \"system\", \"content\": \"Be brief.\"}|<s>!", text);
    }

    [Fact]
    public void Raise_exception_refuses_the_messages_with_the_templates_reason()
    {
        const string template = "{% if messages[0].role != 'user' %}{{ raise_exception('Conversations must start with a user message') }}{% endif %}";
        var error = Assert.ThrowsAny<ChatTemplateException>(() => new ChatTemplate(template).Render(Conversation));
        Assert.Contains("Conversations must start with a user message", error.Message);
    }

    [Theory]
    [InlineData("{% call x() %}{% endcall %}", "unsupported tag '{% call %}' at line 1, column 4")]
    [InlineData("line one\n{{ messages | urlize }}", "unsupported filter 'urlize' at line 2, column 15")]
    [InlineData("{% if true %}no end", "missing '{% endif %}' at line 1, column 3")]
    [InlineData("{{ messages.__class__ }}", "")]
    public void Constructs_outside_the_subset_are_named(string template, string message)
    {
        if (message.Length == 0)
        {
            // Attribute access only reads template values: no .NET member is reachable.
            Assert.Equal(string.Empty, new ChatTemplate(template).Render(Conversation));
            return;
        }
        var error = Assert.ThrowsAny<ChatTemplateException>(() => new ChatTemplate(template).Render(Conversation));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void An_unsupported_construct_fails_when_the_template_loads_with_its_line_and_column()
    {
        // Nothing is rendered: the constructor refuses, so a model with such a template fails its load.
        var error = Assert.Throws<ChatTemplateSyntaxException>(() => new ChatTemplate("{% for m in messages %}\n  {{ m.content | wordwrap(20) }}\n{% endfor %}"));
        Assert.Equal("unsupported filter 'wordwrap' at line 2, column 18", error.Message);
    }

    [Fact]
    public void Raise_exception_refuses_with_the_templates_own_message()
    {
        var template = new ChatTemplate("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}ok");
        var error = Assert.Throws<ChatTemplateRaisedException>(() => template.Render(Conversation));
        Assert.Equal("System role not supported", error.Message);
        Assert.Equal("ok", template.Render(Conversation[1..]));
    }
}
