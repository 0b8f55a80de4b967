using System.Text;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// Reads one answer's steps for tool calls as they come: text that cannot be part of a call is released as content at
/// once, text that may start a call marker is held back, and once the calls start no more content is released; at the
/// end the whole output is parsed. So the streamed content plus the calls at the end are exactly what the parser gives
/// for the whole answer. Where the parser reads calls as they are written (<see cref="ToolCallParser.ReadPartial"/>),
/// <see cref="TakeCallDeltas"/> gives each call's id and name, then its arguments in pieces; a call streamed so stands
/// even if the answer ends malformed (as vLLM's streaming parsers do: what went out cannot be taken back). The
/// syntax's control tokens (dropped from the text stream) are put back for the parser, and taken out of the content.
/// </summary>
public sealed class ToolCallReader
{
    private readonly ToolCallParser _parser;
    private readonly ModelTokenizer _tokenizer;
    private readonly HashSet<string> _controlMarkers;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _released = new();
    private readonly List<(string Id, string Name, string Sent)> _streamed = [];
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

    /// <summary>
    /// Once the answer ended: the content not released yet, and the calls. Calls already streamed keep their ids; where
    /// the whole answer does not read as them (it ended malformed), they stand as streamed and no content follows.
    /// </summary>
    public ParsedAnswer Finish()
    {
        var whole = Parse();
        var released = _released.ToString();
        var rest = whole.Content.StartsWith(released, StringComparison.Ordinal) ? whole.Content[released.Length..] : "";
        if (_streamed.Count == 0) return whole with { Content = rest };
        var agrees = whole.Calls.Count >= _streamed.Count && _streamed.Select((s, i) => (s, c: whole.Calls[i]))
            .All(p => p.c.Name == p.s.Name && p.c.Arguments.StartsWith(p.s.Sent, StringComparison.Ordinal));
        return agrees
            ? new ParsedAnswer(rest, [.. whole.Calls.Select((c, i) => i < _streamed.Count ? c with { Id = _streamed[i].Id } : c)])
            : new ParsedAnswer("", [.. _streamed.Select(s => new ToolCall(s.Id, s.Name, s.Sent))]);
    }

    /// <summary>
    /// The call pieces not given out yet: while the answer runs (<paramref name="finished"/> null), a call's id and name
    /// once its arguments open and their text as it grows; at the end (the answer of <see cref="Finish"/>), the rest of
    /// every call. Parsers that do not read partial calls give every call whole at the end.
    /// </summary>
    public IReadOnlyList<ToolCallDelta> TakeCallDeltas(ParsedAnswer? finished = null)
    {
        var deltas = new List<ToolCallDelta>();
        if (finished is not null)
        {
            for (var i = 0; i < finished.Calls.Count; i++) Advance(i, finished.Calls[i].Name, finished.Calls[i].Arguments, finished.Calls[i].Id, deltas);
            return deltas;
        }
        if (!_inCalls) return deltas;
        var text = _output.ToString();
        var start = _parser.CallStart(text, out _);
        if (start < 0 || _parser.ReadPartial(text[start..]) is not { } calls) return deltas;
        for (var i = 0; i < calls.Count; i++) Advance(i, calls[i].Name, calls[i].Arguments, null, deltas);
        return deltas;
    }

    /// <summary>Adds the pieces that take call <paramref name="index"/> from what was sent to <paramref name="arguments"/>.</summary>
    private void Advance(int index, string name, string arguments, string? id, List<ToolCallDelta> deltas)
    {
        if (index == _streamed.Count)
        {
            _streamed.Add((id ?? _parser.NewId(), name, ""));
            deltas.Add(new ToolCallDelta(index, _streamed[index].Id, name, ""));
        }
        var (callId, sentName, sent) = _streamed[index];
        // Only growth is sent (a partial read never shrinks; Finish keeps what was streamed when the end disagrees).
        if (sentName != name || arguments.Length <= sent.Length || !arguments.StartsWith(sent, StringComparison.Ordinal)) return;
        deltas.Add(new ToolCallDelta(index, null, null, arguments[sent.Length..]));
        _streamed[index] = (callId, name, arguments);
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
