using System.Text.Json;
using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.HttpDoors.OpenAI;

/// <summary>
/// OpenAI's response_format to the engine's <see cref="OutputConstraint"/>: text (none), json_object (any JSON object)
/// or json_schema {name, schema, strict}. The schema's keywords are checked by the engine (a 400 naming a keyword
/// outside the subset); the shape of response_format itself is checked here.
/// </summary>
public static class ResponseFormatReader
{
    public static OutputConstraint? Read(JsonElement body)
    {
        if (body.Get("response_format") is not { ValueKind: not JsonValueKind.Null } format)
        {
            return null;
        }
        JsonFields.RequireObject(format, "'response_format'");
        switch (format.String("type"))
        {
            case "text":
                return null;
            case "json_object":
                return new OutputConstraint();
            case "json_schema":
                if (format.Get("json_schema") is not { ValueKind: JsonValueKind.Object } jsonSchema)
                {
                    throw HttpDoorException.BadRequest("response_format type json_schema needs 'json_schema': {name, schema, strict}.", "response_format");
                }
                if (jsonSchema.String("name") is not { Length: > 0 })
                {
                    throw HttpDoorException.BadRequest("'response_format.json_schema.name' is required.", "response_format");
                }
                if (jsonSchema.Get("schema") is not { ValueKind: JsonValueKind.Object } schema)
                {
                    throw HttpDoorException.BadRequest("'response_format.json_schema.schema' is required: a JSON Schema object.", "response_format");
                }
                // Cloned: the request body's document is disposed before generation starts.
                return new OutputConstraint { Schema = schema.Clone(), Strict = jsonSchema.Boolean("strict") ?? false };
            case var other:
                throw HttpDoorException.BadRequest($"'response_format.type' is '{other}'; expected text, json_object or json_schema.", "response_format");
        }
    }
}
