using System.Text.Json;

namespace MlStack.Inference.HttpDoors;

/// <summary>
/// Typed reads of optional fields of a JSON request: absent or null is null; a value of the wrong type is a 400
/// naming the field, never a silent default.
/// </summary>
public static class JsonFields
{
    public static JsonElement? Get(this JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    /// <summary>The first of several accepted spellings (e.g. top_p and topP) that is present.</summary>
    public static (string Name, JsonElement Value)? GetAny(this JsonElement body, params string[] names)
    {
        foreach (var name in names)
        {
            if (body.Get(name) is { } value)
            {
                return (name, value);
            }
        }
        return null;
    }

    public static JsonElement RequireObject(JsonElement body, string what = "The body")
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw HttpDoorException.BadRequest($"{what} must be a JSON object.");
        }
        return body;
    }

    public static string? String(this JsonElement body, string name) => body.Get(name) is { } value
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw WrongType(name, "a string")
        : null;

    public static bool? Boolean(this JsonElement body, string name) => body.Get(name) is { } value
        ? value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw WrongType(name, "true or false")
        : null;

    public static double? Number(this JsonElement body, params string[] names) => body.GetAny(names) is { } field
        ? field.Value.ValueKind == JsonValueKind.Number ? field.Value.GetDouble() : throw WrongType(field.Name, "a number")
        : null;

    public static long? Integer(this JsonElement body, params string[] names) => body.GetAny(names) is { } field
        ? field.Value.ValueKind == JsonValueKind.Number && field.Value.TryGetInt64(out var number) ? number : throw WrongType(field.Name, "an integer")
        : null;

    /// <summary>A string or an array of strings (OpenAI's stop, input and prompt); null when absent.</summary>
    public static IReadOnlyList<string>? StringOrStrings(this JsonElement body, params string[] names)
    {
        if (body.GetAny(names) is not { } field)
        {
            return null;
        }
        return field.Value.ValueKind switch
        {
            JsonValueKind.String => [field.Value.GetString()!],
            JsonValueKind.Array => [.. field.Value.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String
                ? item.GetString()! : throw WrongType(field.Name, "a string or an array of strings"))],
            _ => throw WrongType(field.Name, "a string or an array of strings"),
        };
    }

    public static HttpDoorException WrongType(string name, string expected) => HttpDoorException.BadRequest($"'{name}' must be {expected}.", name);
}
