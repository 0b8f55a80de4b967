using System.Text.Json;
using System.Text.Json.Nodes;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.Search;

/// <summary>
/// Validates a caller's metadata filter and rewrites it into a Chroma where clause. Keys are the caller's
/// metadata keys (stored with a prefix) or "document" (the document name); values are strings. Chroma evaluates a
/// where clause by scanning the collection's metadata, so a filtered query costs time in proportion to the collection.
/// Supported: {"k": "v"}, {"k": {"$eq"|"$ne": "v"}}, {"k": {"$in"|"$nin": ["a", "b"]}}, {"$and"|"$or": [ ... ]}.
/// </summary>
public static class MetadataFilter
{
    private const int MaxDepth = 8;

    /// <summary>The Chroma where clause, or null for no filter.</summary>
    /// <exception cref="StoreException">INVALID_ARGUMENT with what is wrong.</exception>
    public static JsonObject? Translate(string? filterJson)
    {
        if (string.IsNullOrWhiteSpace(filterJson)) return null;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(filterJson);
        }
        catch (JsonException ex)
        {
            throw StoreException.Invalid($"filter is not valid JSON: {ex.Message}");
        }
        if (node is not JsonObject root) throw StoreException.Invalid("filter must be a JSON object");
        if (root.Count == 0) return null;
        return TranslateObject(root, "filter", 0);
    }

    private static JsonObject TranslateObject(JsonObject obj, string path, int depth)
    {
        if (depth > MaxDepth) throw StoreException.Invalid($"filter is nested deeper than {MaxDepth} levels");
        if (obj.Count == 0) throw StoreException.Invalid($"{path} is an empty object");

        var clauses = obj.Select(p => TranslateClause(p.Key, p.Value, $"{path}.{p.Key}", depth)).ToList();
        return clauses.Count == 1 ? clauses[0] : new JsonObject { ["$and"] = new JsonArray(clauses.ToArray<JsonNode?>()) };
    }

    private static JsonObject TranslateClause(string key, JsonNode? value, string path, int depth)
    {
        if (key is "$and" or "$or")
        {
            if (value is not JsonArray items || items.Count == 0)
                throw StoreException.Invalid($"{path} must be a non-empty array of filters");
            var translated = items.Select((item, i) => item is JsonObject o
                ? TranslateObject(o, $"{path}[{i}]", depth + 1)
                : throw StoreException.Invalid($"{path}[{i}] must be an object")).ToList();
            return translated.Count == 1 ? translated[0] : new JsonObject { [key] = new JsonArray(translated.ToArray<JsonNode?>()) };
        }
        if (key.StartsWith('$')) throw StoreException.Invalid($"{path}: unknown operator '{key}' (use $and, $or, $eq, $ne, $in, $nin)");
        if (string.IsNullOrWhiteSpace(key)) throw StoreException.Invalid($"{path}: empty metadata key");

        var storedKey = key == RecordKeys.DocumentFilterKey ? RecordKeys.DocumentName : RecordKeys.UserPrefix + key;
        return new JsonObject { [storedKey] = TranslateCondition(value, path) };
    }

    private static JsonNode TranslateCondition(JsonNode? value, string path)
    {
        if (value is JsonValue scalar) return JsonValue.Create(RequireString(scalar, path));
        if (value is not JsonObject condition || condition.Count != 1)
            throw StoreException.Invalid($"{path} must be a string or an object with exactly one operator");

        var (op, operand) = condition.First();
        return op switch
        {
            "$eq" or "$ne" when operand is JsonValue v => new JsonObject { [op] = RequireString(v, $"{path}.{op}") },
            "$in" or "$nin" when operand is JsonArray list && list.Count > 0 =>
                new JsonObject { [op] = new JsonArray(list.Select((x, i) => (JsonNode?)JsonValue.Create(
                    x is JsonValue xv ? RequireString(xv, $"{path}.{op}[{i}]") : throw StoreException.Invalid($"{path}.{op}[{i}] must be a string"))).ToArray()) },
            "$eq" or "$ne" => throw StoreException.Invalid($"{path}.{op} needs a string"),
            "$in" or "$nin" => throw StoreException.Invalid($"{path}.{op} needs a non-empty array of strings"),
            _ => throw StoreException.Invalid($"{path}: unknown operator '{op}' (use $eq, $ne, $in, $nin)"),
        };
    }

    private static string RequireString(JsonValue value, string path) =>
        value.TryGetValue<string>(out var s) ? s : throw StoreException.Invalid($"{path} must be a string (metadata values are strings)");
}
