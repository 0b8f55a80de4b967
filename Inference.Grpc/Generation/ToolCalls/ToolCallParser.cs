using System.Text.Json;
using System.Text.Json.Nodes;
using MlStack.Inference.Errors;
using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// One model family's tool-call syntax: where a call starts in the model's output, how the calls read, and the
/// <see cref="OutputConstraint"/> that makes a required or named tool choice come out in that syntax. Output that
/// starts a call but does not read as one is a plain text answer: a model's mistake is never a server error.
/// </summary>
public abstract class ToolCallParser
{
    /// <summary>The setting's name (model.json tool_call_parser), as vLLM names its parsers.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Special tokens of the syntax: the tokenizer treats them as control tokens, so the text stream drops them, and
    /// the tool-call reader puts their spelling back for the parser to read.
    /// </summary>
    public abstract IReadOnlyList<string> MarkerTokens { get; }

    /// <summary>Spellings that open the calls; text that may be the start of one is held back while streaming.</summary>
    protected abstract IReadOnlyList<string> StartMarkers { get; }

    /// <summary>
    /// Where the calls start in <paramref name="text"/> (-1: not in it, so far), and from where the text must be held
    /// back because it may still become a start (<paramref name="holdFrom"/>; the text's length: nothing held).
    /// </summary>
    public virtual int CallStart(string text, out int holdFrom)
    {
        var start = -1;
        foreach (var marker in StartMarkers)
        {
            var at = text.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0 && (start < 0 || at < start)) start = at;
        }
        holdFrom = start >= 0 ? start : text.Length - PartialMarkerLength(text, [.. StartMarkers, .. MarkerTokens]);
        return start;
    }

    /// <summary>The model's whole output as text and calls; a plain text answer when it makes no (readable) call.</summary>
    public virtual ParsedAnswer Parse(string text)
    {
        var start = CallStart(text, out _);
        if (start < 0) return new ParsedAnswer(text, []);
        var calls = ParseCalls(text[start..]);
        if (calls is not { Count: > 0 }) return new ParsedAnswer(text, []);
        var content = text[..start];
        return new ParsedAnswer(string.IsNullOrWhiteSpace(content) ? "" : content, calls);
    }

    /// <summary>
    /// The calls of the output from its start marker on as far as they are written, for streaming: each call whose
    /// name is read and whose arguments' object has opened, with the arguments' text so far (less what may be the end
    /// of the call). null: this family's calls are sent whole at the end of the answer.
    /// </summary>
    public virtual IReadOnlyList<PartialToolCall>? ReadPartial(string calls) => null;

    /// <summary>The calls of the output from its start marker on; null when it does not read as calls only.</summary>
    protected abstract List<ToolCall>? ParseCalls(string calls);

    /// <summary>The constraint that makes the output a call of the named tool, or of any of the tools for required.</summary>
    public abstract OutputConstraint Constraint(IReadOnlyList<ToolDefinition> tools, ToolChoice choice);

    /// <summary>A fresh call id (OpenAI's form, "call_" and 24 letters or digits; Mistral's templates want 9).</summary>
    public virtual string NewId() => ToolCall.NewId("call_", 24);

    /// <summary>The tools a required or named choice allows: the named one, or all of them.</summary>
    protected static IReadOnlyList<ToolDefinition> Allowed(IReadOnlyList<ToolDefinition> tools, ToolChoice choice) =>
        choice.Mode == ToolChoiceMode.Named ? [tools.Single(t => t.Name == choice.Name)] : tools;

    /// <summary>
    /// The schema of a call object {"name": const, "&lt;argumentsKey&gt;": parameters}, one per allowed tool (anyOf when
    /// there are several), with name first, so the output reads as the template shows calls.
    /// </summary>
    protected static JsonElement CallObjectSchema(IReadOnlyList<ToolDefinition> tools, string argumentsKey)
    {
        var schemas = tools.Select(tool => (JsonNode)new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["name"] = new JsonObject { ["const"] = tool.Name },
                [argumentsKey] = JsonNode.Parse(tool.ParametersOrEmpty.GetRawText()),
            },
            ["required"] = new JsonArray("name", argumentsKey),
            ["additionalProperties"] = false,
        }).ToList();
        var schema = schemas.Count == 1 ? schemas[0] : new JsonObject { ["anyOf"] = new JsonArray([.. schemas]) };
        return JsonSerializer.SerializeToElement(schema);
    }

    protected static ToolDefinition OnlyTool(IReadOnlyList<ToolDefinition> tools, ToolChoice choice, string family)
    {
        var allowed = Allowed(tools, choice);
        return allowed.Count == 1 ? allowed[0] : throw InferenceException.Invalid(
            $"tool_choice 'required' with {allowed.Count} tools cannot be enforced in {family}'s tool-call syntax (the function's " +
            "name stands outside the JSON); name the function in tool_choice, or send one tool.");
    }

    /// <summary>How many characters at the end of the text begin one of the markers (held back while streaming).</summary>
    protected static int PartialMarkerLength(string text, IReadOnlyList<string> markers)
    {
        var longest = 0;
        foreach (var marker in markers)
        {
            for (var length = Math.Min(marker.Length - 1, text.Length); length > longest; length--)
            {
                if (string.CompareOrdinal(text, text.Length - length, marker, 0, length) == 0)
                {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }
}
