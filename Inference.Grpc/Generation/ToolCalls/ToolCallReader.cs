using System.Text;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// Reads one answer's steps for tool calls as they come: text that cannot be part of a call is released as content at
/// once, text that may start a call marker is held back, and once the calls start everything is held until the end,
/// when the whole output is parsed. So the streamed content plus the calls at the end are exactly what the parser gives
/// for the whole answer. The syntax's control tokens (dropped from the text stream) are put back for the parser, and
/// taken out of the content.
/// </summary>
public sealed class ToolCallReader
{
    private readonly ToolCallParser _parser;
    private readonly ModelTokenizer _tokenizer;
    private readonly HashSet<string> _controlMarkers;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _released = new();
    private bool _inCalls;

    public ToolCallReader(ModelTokenizer tokenizer, ToolCallParser parser)
    {
        _tokenizer = tokenizer;
        _parser = parser;
        _controlMarkers = [.. parser.MarkerTokens.Where(m => tokenizer.SpecialTokens.TryGetValue(m, out var id) && tokenizer.IsSpecial(id))];
    }

    public ToolCallParser Parser => _parser;

    /// <summary>The reader for a request's answer, or null when its output is not read for calls (no tools, or tool_choice none).</summary>
    public static ToolCallReader? For(GeneratorModel model, GenerationRequest request) =>
        request.Tools is { Count: > 0 } && request.ToolChoice.Mode != ToolChoiceMode.None && model.ToolCalls is { } parser
            ? new ToolCallReader(model.Tokenizer, parser)
            : null;

    /// <summary>Takes a step; returns the content that can be released now (may be empty).</summary>
    public string Append(GenerationStep step)
    {
        _output.Append(step.Text);
        if (step.TokenId is { } id && _tokenizer.IsSpecial(id))
        {
            var spelling = Encoding.UTF8.GetString(_tokenizer.TokenBytes(id));
            if (_controlMarkers.Contains(spelling)) _output.Append(spelling);
        }
        if (_inCalls) return "";
        var text = _output.ToString();
        var start = _parser.CallStart(text, out var holdFrom);
        _inCalls = start >= 0;
        var safe = Strip(text[..(start >= 0 ? start : holdFrom)]);
        // Whitespace before a call is no content: it is held until something else comes.
        if (_released.Length == 0 && string.IsNullOrWhiteSpace(safe)) return "";
        var fresh = safe.Length > _released.Length ? safe[_released.Length..] : "";
        _released.Append(fresh);
        return fresh;
    }

    /// <summary>Once the answer ended: the content not released yet, and the calls.</summary>
    public ParsedAnswer Finish()
    {
        var whole = Parse();
        var released = _released.ToString();
        var rest = whole.Content.StartsWith(released, StringComparison.Ordinal) ? whole.Content[released.Length..] : "";
        return whole with { Content = rest };
    }

    /// <summary>The whole answer so far as text and calls.</summary>
    public ParsedAnswer Parse()
    {
        var parsed = _parser.Parse(_output.ToString());
        return parsed with { Content = Strip(parsed.Content) };
    }

    private string Strip(string text)
    {
        foreach (var marker in _controlMarkers) text = text.Replace(marker, "", StringComparison.Ordinal);
        return text;
    }
}
