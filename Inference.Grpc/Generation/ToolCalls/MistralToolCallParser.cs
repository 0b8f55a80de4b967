using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// Mistral's calls after the [TOOL_CALLS] control token, in either of its tokenizers' syntaxes: a JSON array
/// [{"name": ..., "arguments": {...}}, ...] (Mistral 7B v0.3, Nemo; tokenizer v3), or name[ARGS]{...} per call, each
/// after its own [TOOL_CALLS] (Mistral Small 3.2, Magistral, Devstral; tokenizer v11+, which has the [ARGS] token).
/// Call ids are 9 letters and digits: Mistral's templates refuse any other.
/// </summary>
public sealed class MistralToolCallParser(bool argsSyntax) : ToolCallParser
{
    private const string ToolCalls = "[TOOL_CALLS]";
    private const string Args = "[ARGS]";
    private const string CallId = "[CALL_ID]";

    /// <summary>True where the tokenizer has [ARGS]: calls are written name[ARGS]{...}.</summary>
    public bool ArgsSyntax { get; } = argsSyntax;

    public override string Name => "mistral";

    public override IReadOnlyList<string> MarkerTokens { get; } = [ToolCalls, Args, CallId];

    protected override IReadOnlyList<string> StartMarkers { get; } = [ToolCalls];

    public override string NewId() => ToolCall.NewId("", 9);

    protected override List<ToolCall>? ParseCalls(string text)
    {
        var calls = new List<ToolCall>();
        var at = 0;
        while ((at = JsonScan.SkipWhitespace(text, at)) < text.Length)
        {
            if (string.CompareOrdinal(text, at, ToolCalls, 0, ToolCalls.Length) != 0) return null;
            at = JsonScan.SkipWhitespace(text, at + ToolCalls.Length);
            if (at < text.Length && text[at] == '[')
            {
                var end = JsonScan.ValueEnd(text, at);
                if (end < 0 || JsonScan.TryParse(text[at..end]) is not { ValueKind: System.Text.Json.JsonValueKind.Array } array) return null;
                foreach (var item in array.EnumerateArray())
                {
                    if (JsonScan.CallFromObject(item, NewId(), "arguments", "parameters") is not { } call) return null;
                    calls.Add(call);
                }
                at = end;
                continue;
            }
            var args = text.IndexOf(Args, at, StringComparison.Ordinal);
            if (args < 0) return null;
            var name = text[at..args];
            var idAt = name.IndexOf(CallId, StringComparison.Ordinal);
            if (idAt >= 0) name = name[..idAt];
            name = name.Trim();
            var json = JsonScan.SkipWhitespace(text, args + Args.Length);
            var jsonEnd = JsonScan.ValueEnd(text, json);
            if (name.Length == 0 || jsonEnd < 0 || JsonScan.TryParse(text[json..jsonEnd]) is not { } arguments
                || JsonScan.Arguments(arguments) is not { } argumentsText)
            {
                return null;
            }
            calls.Add(new ToolCall(NewId(), name, argumentsText));
            at = jsonEnd;
        }
        return calls;
    }

    public override OutputConstraint Constraint(IReadOnlyList<ToolDefinition> tools, ToolChoice choice)
    {
        if (ArgsSyntax && (choice.Mode == ToolChoiceMode.Named || tools.Count == 1))
        {
            var tool = OnlyTool(tools, choice, "Mistral");
            return new OutputConstraint { Prefix = ToolCalls + tool.Name + Args, Schema = tool.ParametersOrEmpty };
        }
        // The array syntax names the function inside the JSON, so anyOf picks it; the parser reads it in both tokenizers.
        return new OutputConstraint { Prefix = ToolCalls + "[", Schema = CallObjectSchema(Allowed(tools, choice), "arguments"), Suffix = "]" };
    }
}
