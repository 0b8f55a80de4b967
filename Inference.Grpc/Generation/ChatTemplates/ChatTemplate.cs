namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// A small, safe renderer for the subset of Jinja that Hugging Face chat templates use (ChatML, Qwen2,
/// Llama 3, Phi): text, {{ expressions }}, if/elif/else, for loops with loop.*, set (namespace attributes
/// too), filters (trim, tojson, length, upper, lower, default, join, first, last, string), tests (defined,
/// none, string, mapping, ...), string methods and raise_exception. Whitespace is handled as transformers
/// configures Jinja: "-" markers, trim_blocks and lstrip_blocks. Templates only see the values given to
/// them (no .NET members are reachable), loops and output are bounded, and anything outside the subset is a
/// <see cref="ChatTemplateException"/> naming it.
/// </summary>
/// <remarks>
/// Our own because no Jinja engine is published on NuGet: the template engines there (Fluid, Scriban,
/// Handlebars.Net) speak Liquid or Handlebars, which have no <c>is</c> tests, <c>namespace()</c>, inline
/// <c>if</c>/<c>else</c> or Python string methods. The pieces: <see cref="TemplateLexer"/> (tags and whitespace
/// control), <see cref="ExpressionLexer"/> and <see cref="ExpressionParser"/> (what is inside a tag),
/// <see cref="TemplateParser"/> (statements), the nodes (<see cref="Node"/>, <see cref="Expr"/>) evaluated against a
/// <see cref="RenderContext"/>, and what templates may use: <see cref="Filters"/>, <see cref="IsTests"/>,
/// <see cref="Builtins"/>, with Python's value semantics in <see cref="Values"/>.
/// </remarks>
public sealed class ChatTemplate
{
    /// <summary>Used for models without a chat_template: the ChatML format.</summary>
    public const string ChatMl =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private readonly List<Node> _body;

    /// <summary>Parses the template once; throws <see cref="ChatTemplateException"/> for what is outside the subset.</summary>
    public ChatTemplate(string source)
    {
        _body = TemplateParser.Parse(source);
    }

    /// <summary>Renders the conversation; roles and contents are plain strings.</summary>
    public string Render(IEnumerable<(string Role, string Content)> messages, bool addGenerationPrompt = true,
        IReadOnlyDictionary<string, object?>? variables = null)
    {
        var list = messages
            .Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content })
            .ToList();
        var scope = new Dictionary<string, object?>
        {
            ["messages"] = list,
            ["add_generation_prompt"] = addGenerationPrompt,
            ["bos_token"] = string.Empty,
            ["eos_token"] = string.Empty,
        };
        if (variables is not null)
        {
            foreach (var (k, v) in variables)
            {
                scope[k] = v;
            }
        }
        var context = new RenderContext(scope);
        foreach (var node in _body)
        {
            node.Render(context);
        }
        return context.Output.ToString();
    }
}
