using System.Text.RegularExpressions;
using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// Hermes-style calls (Qwen 2.5 and 3, Hermes, SmolLM3 and others): one
/// &lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt; per call, several in a row for parallel calls.
/// A last call whose closing tag is missing or cut (the answer ended there) still counts. Calls stream: once
/// {"name": "...", "arguments": { is read, the call's id and name go out, then the arguments as they grow.
/// </summary>
public sealed partial class HermesToolCallParser : ToolCallParser
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";

    // The call object's start as the template and the constraint write it: name first, then the arguments' object.
    [GeneratedRegex("""\G\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"(?:arguments|parameters)"\s*:\s*(?=\{)""", RegexOptions.CultureInvariant)]
    private static partial Regex CallHeader();

    public override string Name => "hermes";

    public override IReadOnlyList<string> MarkerTokens { get; } = [Open, Close];

    protected override IReadOnlyList<string> StartMarkers { get; } = [Open];

    protected override List<ToolCall>? ParseCalls(string text)
    {
        var calls = new List<ToolCall>();
        var at = 0;
        while ((at = JsonScan.SkipWhitespace(text, at)) < text.Length)
        {
            if (string.CompareOrdinal(text, at, Open, 0, Open.Length) != 0) return null;
            var json = JsonScan.SkipWhitespace(text, at + Open.Length);
            var end = JsonScan.ValueEnd(text, json);
            if (end < 0 || JsonScan.TryParse(text[json..end]) is not { } body || JsonScan.CallFromObject(body, NewId(), "arguments", "parameters") is not { } call)
            {
                return null;
            }
            calls.Add(call);
            at = JsonScan.SkipWhitespace(text, end);
            if (string.CompareOrdinal(text, at, Close, 0, Close.Length) == 0) at += Close.Length;
            // The answer ended inside the closing tag (max tokens): the call is whole all the same.
            else if (at < text.Length && Close.StartsWith(text[at..], StringComparison.Ordinal)) break;
            else if (at < text.Length) return null;
        }
        return calls;
    }

    public override IReadOnlyList<PartialToolCall> ReadPartial(string text)
    {
        var calls = new List<PartialToolCall>();
        var at = 0;
        while ((at = JsonScan.SkipWhitespace(text, at)) < text.Length && string.CompareOrdinal(text, at, Open, 0, Open.Length) == 0)
        {
            var json = JsonScan.SkipWhitespace(text, at + Open.Length);
            var header = CallHeader().Match(text, json);
            if (!header.Success || JsonScan.TryParse(header.Groups[1].Value)?.GetString() is not { Length: > 0 } name) break;
            var arguments = header.Index + header.Length;
            var end = JsonScan.ValueEnd(text, arguments);
            if (end < 0)
            {
                // Still open: all of it is the arguments' text, up to a closing tag (a malformed call ends there), or
                // white space and what may become one (the line break before the tag).
                var written = text[arguments..];
                var close = written.IndexOf(Close, StringComparison.Ordinal);
                written = (close >= 0 ? written[..close] : written[..^PartialMarkerLength(written, [Close])]).TrimEnd(' ', '\t', '\r', '\n');
                calls.Add(new PartialToolCall(name, written));
                break;
            }
            calls.Add(new PartialToolCall(name, text[arguments..end]));
            at = JsonScan.ValueEnd(text, json);
            if (at < 0) break;
            at = JsonScan.SkipWhitespace(text, at);
            if (string.CompareOrdinal(text, at, Close, 0, Close.Length) != 0) break;
            at += Close.Length;
        }
        return calls;
    }

    public override OutputConstraint Constraint(IReadOnlyList<ToolDefinition> tools, ToolChoice choice) => new()
    {
        Prefix = Open + "\n",
        Schema = CallObjectSchema(Allowed(tools, choice), "arguments"),
        Suffix = "\n" + Close,
    };
}
