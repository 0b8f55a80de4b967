namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// A Hugging Face chat template rendered as transformers renders it: Jinja2 in its immutable sandbox with trim_blocks,
/// lstrip_blocks and the loopcontrols extension, tojson as json.dumps (ensure_ascii off, indent, separators,
/// sort_keys), the globals raise_exception and strftime_now, and the {% generation %} tag. The language: text,
/// {{ expressions }}, if/elif/else, for (loop.*, else, a filter, break/continue), set (namespace attributes, tuples and
/// blocks), macros, slices with a step, Python's string and dict methods, Jinja's filters and tests. Templates only see
/// the values given to them (no .NET member is reachable), loops, macro depth and output are bounded, and whatever
/// is outside that language is refused when the template is parsed, with its line and column.
/// </summary>
/// <remarks>
/// Our own because no Jinja engine is published on NuGet: the template engines there (Fluid, Scriban,
/// Handlebars.Net) speak Liquid or Handlebars, which have no <c>is</c> tests, <c>namespace()</c>, inline
/// <c>if</c>/<c>else</c> or Python string methods. The pieces: <see cref="TemplateLexer"/> (tags and whitespace
/// control), <see cref="ExpressionLexer"/> and <see cref="ExpressionParser"/> (what is inside a tag),
/// <see cref="TemplateParser"/> (statements), the nodes (<see cref="Node"/>, <see cref="Expr"/>) evaluated against a
/// <see cref="RenderContext"/>, and what templates may use: <see cref="Filters"/>, <see cref="IsTests"/>,
/// <see cref="Builtins"/>, <see cref="Methods"/>, with Python's value semantics in <see cref="Values"/>.
/// </remarks>
public sealed class ChatTemplate
{
    private readonly List<Node> _body;

    /// <summary>Parses the template once; throws <see cref="ChatTemplateSyntaxException"/> (with line and column) for what is not supported.</summary>
    public ChatTemplate(string source)
    {
        _body = TemplateParser.Parse(source);
        Source = source;
    }

    /// <summary>The template's text (what a model's tool-call syntax is detected from).</summary>
    public string Source { get; }

    /// <summary>
    /// Renders with the given variables (messages, tools, documents, add_generation_prompt, the special tokens, and any
    /// extra arguments), as template values (<see cref="TemplateValues"/>); <paramref name="now"/> is what strftime_now reads.
    /// </summary>
    public string Render(IReadOnlyDictionary<string, object?> variables, DateTimeOffset? now = null)
    {
        var context = new RenderContext(new Dictionary<string, object?>(variables), now);
        Node.RenderAll(_body, context);
        return context.Output.ToString();
    }

    /// <summary>Renders plain role/content messages (tests and simple callers).</summary>
    public string Render(IEnumerable<(string Role, string Content)> messages, bool addGenerationPrompt = true,
        IReadOnlyDictionary<string, object?>? variables = null)
    {
        var scope = new Dictionary<string, object?>
        {
            ["messages"] = messages.Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        if (variables is not null)
        {
            foreach (var (k, v) in variables) scope[k] = v;
        }
        return Render(scope);
    }
}
