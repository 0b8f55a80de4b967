using System.Text;
using System.Text.RegularExpressions;
using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// gpt-oss's harmony channels: the answer is a series of messages, each a header and &lt;|message|&gt; text ended by
/// &lt;|end|&gt;, &lt;|call|&gt; or &lt;|return|&gt;. A message whose header addresses "to=functions.NAME" (on the commentary
/// channel) is a call with its arguments as the JSON text; the final channel is the answer's text (the analysis is not). Since every part
/// of the answer is in channels, the whole output is read when it is complete.
/// </summary>
public sealed partial class GptOssToolCallParser : ToolCallParser
{
    private const string Start = "<|start|>";
    private const string Channel = "<|channel|>";
    private const string Message = "<|message|>";
    private const string Constrain = "<|constrain|>";
    private const string End = "<|end|>";
    private const string Call = "<|call|>";
    private const string Return = "<|return|>";

    [GeneratedRegex(@"to=functions\.([^\s<]+)")]
    private static partial Regex Recipient();

    public override string Name => "gpt_oss";

    public override IReadOnlyList<string> MarkerTokens { get; } = [Start, Channel, Message, Constrain, End, Call, Return];

    protected override IReadOnlyList<string> StartMarkers { get; } = [Channel];

    /// <summary>Everything is held: which channel a text belongs to is known only from its header.</summary>
    public override int CallStart(string text, out int holdFrom)
    {
        holdFrom = 0;
        return text.Length > 0 ? 0 : -1;
    }

    public override ParsedAnswer Parse(string text)
    {
        if (!text.Contains(Message, StringComparison.Ordinal)) return new ParsedAnswer(text, []);
        var calls = new List<ToolCall>();
        var final = new StringBuilder();
        var hasFinal = false;
        var at = 0;
        while (at < text.Length)
        {
            var body = text.IndexOf(Message, at, StringComparison.Ordinal);
            if (body < 0) break;
            var header = text[at..body];
            body += Message.Length;
            var end = IndexOfAny(text, body, End, Call, Return);
            var content = text[body..(end < 0 ? text.Length : end)];
            if (Recipient().Match(header) is { Success: true } recipient)
            {
                if (JsonScan.TryParse(content) is not { } json || JsonScan.Arguments(json) is not { } arguments) return Plain(text);
                calls.Add(new ToolCall(NewId(), recipient.Groups[1].Value, arguments));
            }
            else if (header.Contains(Channel + "final", StringComparison.Ordinal))
            {
                final.Append(content);
                hasFinal = true;
            }
            if (end < 0) break;
            at = end;
            foreach (var marker in new[] { End, Call, Return, Start })
            {
                if (string.CompareOrdinal(text, at, marker, 0, marker.Length) == 0) at += marker.Length;
            }
            if (at < text.Length && text.AsSpan(at).StartsWith("assistant", StringComparison.Ordinal)) at += "assistant".Length;
        }
        return calls.Count > 0 || hasFinal ? new ParsedAnswer(final.ToString(), calls) : Plain(text);
    }

    /// <summary>An answer without channels, or one that is not readable: as the text stream gives it without tools, control tokens dropped.</summary>
    private ParsedAnswer Plain(string text)
    {
        foreach (var marker in MarkerTokens) text = text.Replace(marker, "", StringComparison.Ordinal);
        return new ParsedAnswer(text, []);
    }

    private static int IndexOfAny(string text, int from, params string[] markers)
    {
        var first = -1;
        foreach (var marker in markers)
        {
            var at = text.IndexOf(marker, from, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        return first;
    }

    protected override List<ToolCall>? ParseCalls(string calls) => Parse(calls).Calls.ToList();

    public override OutputConstraint Constraint(IReadOnlyList<ToolDefinition> tools, ToolChoice choice)
    {
        var tool = OnlyTool(tools, choice, "gpt-oss");
        return new OutputConstraint
        {
            Prefix = $"{Channel}commentary to=functions.{tool.Name} {Constrain}json{Message}",
            Schema = tool.ParametersOrEmpty,
        };
    }
}
