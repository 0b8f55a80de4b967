using System.Text.Json;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>Finds where a JSON object or array that a model wrote inside other text ends, and reads it.</summary>
internal static class JsonScan
{
    /// <summary>
    /// The index just past the object or array that starts at <paramref name="start"/> (brackets balanced outside
    /// strings), or -1 when the text ends first or no object or array starts there.
    /// </summary>
    public static int ValueEnd(string text, int start)
    {
        if (start >= text.Length || text[start] is not ('{' or '[')) return -1;
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            switch (c)
            {
                case '"': inString = true; break;
                case '{' or '[': depth++; break;
                case '}' or ']':
                    if (--depth == 0) return i + 1;
                    break;
            }
        }
        return -1;
    }

    /// <summary>The text parsed as one JSON value, or null when it is not valid JSON.</summary>
    public static JsonElement? TryParse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static int SkipWhitespace(string text, int at)
    {
        while (at < text.Length && char.IsWhiteSpace(text[at])) at++;
        return at;
    }

    /// <summary>
    /// A call from an object {"name": "...", "&lt;argumentsKey&gt;": {...}} (the arguments may also be a string that
    /// holds a JSON object, as some models write them); null when it is not one.
    /// </summary>
    public static ToolCall? CallFromObject(JsonElement call, string id, params string[] argumentsKeys)
    {
        if (call.ValueKind != JsonValueKind.Object
            || !call.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(name.GetString()))
        {
            return null;
        }
        foreach (var key in argumentsKeys)
        {
            if (call.TryGetProperty(key, out var arguments))
            {
                return Arguments(arguments) is { } text ? new ToolCall(id, name.GetString()!, text) : null;
            }
        }
        return new ToolCall(id, name.GetString()!, "{}");
    }

    /// <summary>Arguments as JSON text of an object: an object as written, or a string that holds one.</summary>
    public static string? Arguments(JsonElement arguments) => arguments.ValueKind switch
    {
        JsonValueKind.Object => arguments.GetRawText(),
        JsonValueKind.String when TryParse(arguments.GetString()!) is { ValueKind: JsonValueKind.Object } inner => inner.GetRawText(),
        _ => null,
    };
}
