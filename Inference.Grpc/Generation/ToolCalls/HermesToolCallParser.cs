using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// Hermes-style calls (Qwen 2.5 and 3, Hermes, SmolLM3 and others): one
/// &lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt; per call, several in a row for parallel calls.
/// A last call without its closing tag (the answer ended there) still counts.
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
            var close = text.IndexOf(Close, at, StringComparison.Ordinal);
            var body = close < 0 ? text[(at + Open.Length)..] : text[(at + Open.Length)..close];
            if (JsonScan.TryParse(body) is not { } json || JsonScan.CallFromObject(json, NewId(), "arguments", "parameters") is not { } call) return null;
            calls.Add(call);
            at = close < 0 ? text.Length : close + Close.Length;
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
