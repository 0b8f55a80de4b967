namespace MlStack.Testing;

/// <summary>
/// One JSON Schema that uses every keyword of OpenAI's strict subset (nested object, array of $ref, enum, integer,
/// number, anyOf with null, type arrays): what the structured-output tests validate and the benchmark measures.
/// </summary>
public static class MovieSchema
{
    public const string Text = """
        {"type": "object", "properties": {
            "title": {"type": "string"},
            "year": {"type": "integer"},
            "rating": {"type": "number"},
            "genre": {"enum": ["drama", "comedy", "horror"]},
            "cast": {"type": "array", "items": {"$ref": "#/$defs/actor"}},
            "sequel": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "studio": {"type": "object", "properties": {"name": {"type": "string"}, "city": {"type": ["string", "null"]}},
                       "required": ["name", "city"], "additionalProperties": false}
        },
        "required": ["title", "year", "rating", "genre", "cast", "sequel", "studio"], "additionalProperties": false,
        "$defs": {"actor": {"type": "object", "properties": {"name": {"type": "string"}, "lead": {"type": "boolean"}},
                            "required": ["name", "lead"], "additionalProperties": false}}}
        """;
}
