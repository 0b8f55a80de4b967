using System.Text.Json;

namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// What a request's output must be, enforced token by token (constrained decoding): the literal <see cref="Prefix"/>,
/// then one JSON value (matching <see cref="Schema"/> when given, else any JSON object), then the literal
/// <see cref="Suffix"/>, after which the sequence ends. response_format uses the JSON part alone; a required or named
/// tool choice wraps the call in its model family's tool-call syntax with the prefix and suffix.
/// </summary>
public sealed record OutputConstraint
{
    /// <summary>Text forced before the JSON value (e.g. "&lt;tool_call&gt;\n").</summary>
    public string Prefix { get; init; } = "";

    /// <summary>A JSON Schema in the strict subset; null: any JSON object (response_format json_object).</summary>
    public JsonElement? Schema { get; init; }

    /// <summary>Text forced after the JSON value (e.g. "\n&lt;/tool_call&gt;").</summary>
    public string Suffix { get; init; } = "";

    /// <summary>
    /// OpenAI's strict mode (json_schema strict: true): every property must be in required and additionalProperties
    /// false, else the schema is refused. Off, optional properties may be left out. Either way only the subset's
    /// keywords are accepted (see <see cref="SchemaCompiler"/>).
    /// </summary>
    public bool Strict { get; init; }
}
