using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// Hermes-style calls (Qwen 2.5 and 3, Hermes, SmolLM3 and others): one
/// &lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt; per call, several in a row for parallel calls.
/// A last call whose closing tag is missing or cut (the answer ended there) still counts.
/// </summary>
public sealed class HermesToolCallParser : ToolCallParser
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";

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

    public override OutputConstraint Constraint(IReadOnlyList<ToolDefinition> tools, ToolChoice choice) => new()
    {
        Prefix = Open + "\n",
        Schema = CallObjectSchema(Allowed(tools, choice), "arguments"),
        Suffix = "\n" + Close,
    };
}
