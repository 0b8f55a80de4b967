using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.Search;

/// <summary>
/// Validates a caller's metadata filter and rewrites it into a Chroma where clause. Keys are the caller's
/// metadata keys (stored with a prefix) or "document" (the document name); values are strings. Chroma evaluates a
/// where clause by scanning the collection's metadata, so a filtered query costs time in proportion to the collection;
/// the filter's own size, depth, conditions and values are bounded (<see cref="SearchOptions"/>) before it is parsed
/// in full, so that a filter cannot cost more than its bounds allow.
/// Supported: {"k": "v"}, {"k": {"$eq"|"$ne": "v"}}, {"k": {"$in"|"$nin": ["a", "b"]}}, {"$and"|"$or": [ ... ]}.
/// </summary>
public static class MetadataFilter
{
    // Keys in error messages are cut to this length: the caller sees which key, not their whole input back.
    private const int EchoedKeyChars = 64;

    /// <summary>The Chroma where clause, or null for no filter.</summary>
    /// <exception cref="StoreException">INVALID_ARGUMENT with what is wrong.</exception>
    public static JsonObject? Translate(string? filterJson, SearchOptions limits)
    {
        if (string.IsNullOrWhiteSpace(filterJson)) return null;
        var bytes = Encoding.UTF8.GetByteCount(filterJson);
        if (bytes > limits.MaxFilterBytes)
            throw StoreException.Invalid($"filter is {bytes} bytes; the limit is {limits.MaxFilterBytes}");
        JsonNode? node;
        try
        {
            // The reader's own depth limit stops a deeply nested document before it is built; the filter's depth
            // rule below is stricter still.
            node = JsonNode.Parse(filterJson, documentOptions: new JsonDocumentOptions { MaxDepth = 2 * limits.MaxFilterDepth + 4 });
        }
        catch (JsonException ex)
        {
            throw StoreException.Invalid(ex.LineNumber is { } line && ex.BytePositionInLine is { } position
                ? $"filter is not valid JSON (or nested too deeply) at line {line + 1}, position {position + 1}"
                : "filter is not valid JSON");
        }
        if (node is not JsonObject root) throw StoreException.Invalid("filter must be a JSON object");
        if (root.Count == 0) return null;
        return new Translation(limits).Object(root, "filter", 0);
    }

    private sealed class Translation(SearchOptions limits)
    {
        private int _conditions;
        private int _values;

        public JsonObject Object(JsonObject obj, string path, int depth)
        {
            if (depth > limits.MaxFilterDepth) throw StoreException.Invalid($"filter is nested deeper than {limits.MaxFilterDepth} levels");
            if (obj.Count == 0) throw StoreException.Invalid($"{path} is an empty object");

            var clauses = obj.Select(p => Clause(p.Key, p.Value, $"{path}.{Echo(p.Key)}", depth)).ToList();
            return clauses.Count == 1 ? clauses[0] : new JsonObject { ["$and"] = new JsonArray(clauses.ToArray<JsonNode?>()) };
        }

        private JsonObject Clause(string key, JsonNode? value, string path, int depth)
        {
            if (key is "$and" or "$or")
            {
                if (value is not JsonArray items || items.Count == 0)
                    throw StoreException.Invalid($"{path} must be a non-empty array of filters");
                var translated = items.Select((item, i) => item is JsonObject o
                    ? Object(o, $"{path}[{i}]", depth + 1)
                    : throw StoreException.Invalid($"{path}[{i}] must be an object")).ToList();
                return translated.Count == 1 ? translated[0] : new JsonObject { [key] = new JsonArray(translated.ToArray<JsonNode?>()) };
            }
            if (key.StartsWith('$')) throw StoreException.Invalid($"{path}: unknown operator '{Echo(key)}' (use $and, $or, $eq, $ne, $in, $nin)");
            if (string.IsNullOrWhiteSpace(key)) throw StoreException.Invalid($"{path}: empty metadata key");
            if (++_conditions > limits.MaxFilterConditions)
                throw StoreException.Invalid($"filter has more than {limits.MaxFilterConditions} conditions");

            var storedKey = key == RecordKeys.DocumentFilterKey ? RecordKeys.DocumentName : RecordKeys.UserPrefix + key;
            return new JsonObject { [storedKey] = Condition(value, path) };
        }

        private JsonNode Condition(JsonNode? value, string path)
        {
            if (value is JsonValue scalar) return JsonValue.Create(RequireString(scalar, path));
            if (value is not JsonObject condition || condition.Count != 1)
                throw StoreException.Invalid($"{path} must be a string or an object with exactly one operator");

            var (op, operand) = condition.First();
            return op switch
            {
                "$eq" or "$ne" when operand is JsonValue v => new JsonObject { [op] = RequireString(v, $"{path}.{op}") },
                "$in" or "$nin" when operand is JsonArray list && list.Count > 0 => new JsonObject { [op] = Values(list, $"{path}.{op}") },
                "$eq" or "$ne" => throw StoreException.Invalid($"{path}.{op} needs a string"),
                "$in" or "$nin" => throw StoreException.Invalid($"{path}.{op} needs a non-empty array of strings"),
                _ => throw StoreException.Invalid($"{path}: unknown operator '{Echo(op)}' (use $eq, $ne, $in, $nin)"),
            };
        }

        private JsonArray Values(JsonArray list, string path)
        {
            _values += list.Count;
            if (_values > limits.MaxFilterValues)
                throw StoreException.Invalid($"filter has more than {limits.MaxFilterValues} values in its $in/$nin lists");
            return new JsonArray(list.Select((x, i) => (JsonNode?)JsonValue.Create(
                x is JsonValue xv ? RequireString(xv, $"{path}[{i}]") : throw StoreException.Invalid($"{path}[{i}] must be a string"))).ToArray());
        }

        private static string RequireString(JsonValue value, string path) =>
            value.TryGetValue<string>(out var s) ? s : throw StoreException.Invalid($"{path} must be a string (metadata values are strings)");
    }

    private static string Echo(string key)
    {
        var printable = new string(key.Take(EchoedKeyChars).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return key.Length > EchoedKeyChars ? printable + "…" : printable;
    }
}
