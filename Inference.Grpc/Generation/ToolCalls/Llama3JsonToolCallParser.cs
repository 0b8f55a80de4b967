using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// Llama 3.1, 3.2 and 3.3 with custom tools: the whole answer is {"name": ..., "parameters": {...}}, optionally after
/// &lt;|python_tag|&gt;; several calls are separated by ";" (as Llama 3.2 writes them). An answer that starts otherwise is
/// text, so only its first characters are held back while streaming.
/// </summary>
public sealed class Llama3JsonToolCallParser : ToolCallParser
{
    private const string PythonTag = "<|python_tag|>";

    public override string Name => "llama3_json";

    public override IReadOnlyList<string> MarkerTokens { get; } = [PythonTag];

    protected override IReadOnlyList<string> StartMarkers { get; } = [PythonTag, "{"];

    public override int CallStart(string text, out int holdFrom)
    {
        var first = JsonScan.SkipWhitespace(text, 0);
        holdFrom = text.Length;
        if (first == text.Length)
        {
            holdFrom = 0; // only whitespace so far: the answer may still open with a call
            return -1;
        }
        if (text[first] == '{' || string.CompareOrdinal(text, first, PythonTag, 0, PythonTag.Length) == 0) return first;
        if (PythonTag.StartsWith(text[first..], StringComparison.Ordinal)) holdFrom = 0;
        return -1;
    }

    protected override List<ToolCall>? ParseCalls(string text)
    {
        var at = JsonScan.SkipWhitespace(text, 0);
        if (string.CompareOrdinal(text, at, PythonTag, 0, PythonTag.Length) == 0) at += PythonTag.Length;
        var calls = new List<ToolCall>();
        while ((at = JsonScan.SkipWhitespace(text, at)) < text.Length)
        {
            if (calls.Count > 0)
            {
                if (text[at] != ';') return null;
                at = JsonScan.SkipWhitespace(text, at + 1);
                if (at == text.Length) break;
            }
            var end = JsonScan.ValueEnd(text, at);
            if (end < 0 || JsonScan.TryParse(text[at..end]) is not { } json || JsonScan.CallFromObject(json, NewId(), "parameters", "arguments") is not { } call)
            {
                return null;
            }
            calls.Add(call);
            at = end;
        }
        return calls;
    }

    public override OutputConstraint Constraint(IReadOnlyList<ToolDefinition> tools, ToolChoice choice) => new()
    {
        Schema = CallObjectSchema(Allowed(tools, choice), "parameters"),
    };
}
