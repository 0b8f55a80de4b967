using System.Text.Json;
using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// A function the model may call, as OpenAI's tools state it: a name, a description and a JSON Schema of its
/// parameters (null: it takes none).
/// </summary>
public sealed record ToolDefinition(string Name, string? Description, JsonElement? Parameters)
{
    /// <summary>The parameters' schema, or an object without properties for a function that takes none.</summary>
    public JsonElement ParametersOrEmpty => Parameters ?? EmptyObject;

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    /// <summary>
    /// The tool as chat templates take it: OpenAI's {"type":"function","function":{name, description, parameters}}, as
    /// transformers and vLLM pass it.
    /// </summary>
    public object ToTemplateValue()
    {
        var function = new Dictionary<string, object?> { ["name"] = Name };
        if (Description is not null) function["description"] = Description;
        function["parameters"] = TemplateValues.FromJson(ParametersOrEmpty);
        return new Dictionary<string, object?> { ["type"] = "function", ["function"] = function };
    }
}

/// <summary>How the model may use the tools: OpenAI's tool_choice.</summary>
public enum ToolChoiceMode
{
    /// <summary>The model decides whether to call (the default when tools are given).</summary>
    Auto,

    /// <summary>The model answers in text: the tools are not shown to it and its output is not parsed for calls.</summary>
    None,

    /// <summary>The model must call one of the tools: enforced by constrained decoding.</summary>
    Required,

    /// <summary>The model must call the named tool: enforced by constrained decoding.</summary>
    Named,
}

/// <summary>OpenAI's tool_choice: a mode, and the function's name for <see cref="ToolChoiceMode.Named"/>.</summary>
public sealed record ToolChoice(ToolChoiceMode Mode, string? Name = null)
{
    public static readonly ToolChoice Auto = new(ToolChoiceMode.Auto);
    public static readonly ToolChoice None = new(ToolChoiceMode.None);
    public static readonly ToolChoice Required = new(ToolChoiceMode.Required);
}
