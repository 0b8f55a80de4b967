using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// Compiles a JSON Schema in OpenAI's structured-outputs subset into <see cref="GrammarNode"/>s: objects with properties,
/// required and additionalProperties false; arrays with items; string, number, integer, boolean, null (also as type
/// arrays); enum; const; anyOf; $defs/definitions with $ref (recursion included). Any other keyword is
/// INVALID_ARGUMENT naming it and its JSON path: a constraint the grammar cannot enforce is refused, never ignored.
/// Annotations (title, description, ...) change no output and are accepted.
/// With strict, OpenAI's strict-mode rules hold as well: every property listed in required and additionalProperties
/// false. Without it optional properties may be left out; only declared properties are ever generated.
/// </summary>
public sealed class SchemaCompiler
{
    private static readonly HashSet<string> Annotations = ["title", "description", "$comment", "$schema", "$id", "examples"];
    private static readonly HashSet<string> Types = ["object", "array", "string", "number", "integer", "boolean", "null"];
    private static readonly JsonSerializerOptions CompactJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonElement _root;
    private readonly bool _strict;
    private readonly Dictionary<string, RefNode> _refs = new(StringComparer.Ordinal);
    private readonly List<GrammarNode> _nodes = [];

    private SchemaCompiler(JsonElement root, bool strict)
    {
        _root = root;
        _strict = strict;
    }

    /// <summary>The schema's root node; null schema: any JSON object.</summary>
    public static GrammarNode Compile(JsonElement? schema, bool strict)
    {
        if (schema is not { } root)
        {
            var any = new AnyObjectNode();
            SetMinLengths([any]);
            return any;
        }
        var compiler = new SchemaCompiler(root, strict);
        var node = compiler.Node(root, "$");
        compiler.ResolveRefs();
        SetMinLengths(compiler._nodes);
        if (node.MinLength == int.MaxValue)
        {
            throw Invalid("$", "The schema's recursion never ends: every value of it contains another one (make a recursive property optional or nullable).");
        }
        return node;
    }

    private GrammarNode Node(JsonElement schema, string path)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"A schema must be a JSON object (got {schema.ValueKind.ToString().ToLowerInvariant()}).");
        }
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Annotations.Contains(keyword.Name) && keyword.Name is not ("type" or "properties" or "required" or "additionalProperties" or "items"
                    or "enum" or "const" or "anyOf" or "$defs" or "definitions" or "$ref"))
            {
                throw Invalid(path, $"The schema keyword '{keyword.Name}' at {path} is not supported; structured outputs take OpenAI's strict subset " +
                    "(type, properties, required, additionalProperties, items, enum, const, anyOf, $defs, $ref).", keyword.Name);
            }
        }
        foreach (var defsName in new[] { "$defs", "definitions" })
        {
            if (schema.TryGetProperty(defsName, out var defs) && defs.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"{path}.{defsName}", $"'{defsName}' at {path} must be an object of schemas.");
            }
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            RequireAlone(schema, path, "$ref");
            return Ref(reference, $"{path}.$ref");
        }
        if (schema.TryGetProperty("anyOf", out var anyOf))
        {
            RequireAlone(schema, path, "anyOf");
            if (anyOf.ValueKind != JsonValueKind.Array || anyOf.GetArrayLength() == 0)
            {
                throw Invalid($"{path}.anyOf", $"'anyOf' at {path} must be a non-empty array of schemas.");
            }
            return Add(new AnyOfNode([.. anyOf.EnumerateArray().Select((option, i) => Node(option, $"{path}.anyOf[{i}]"))]));
        }

        var types = ReadTypes(schema, path);
        if (schema.TryGetProperty("const", out var constant))
        {
            CheckTypes(constant, types, $"{path}.const");
            return Add(new LiteralNode([Json(constant)]));
        }
        if (schema.TryGetProperty("enum", out var values))
        {
            if (values.ValueKind != JsonValueKind.Array || values.GetArrayLength() == 0)
            {
                throw Invalid($"{path}.enum", $"'enum' at {path} must be a non-empty array.");
            }
            var i = 0;
            foreach (var value in values.EnumerateArray())
            {
                CheckTypes(value, types, $"{path}.enum[{i++}]");
            }
            return Add(new LiteralNode(values.EnumerateArray().Select(Json)));
        }
        if (types is null)
        {
            throw Invalid(path, $"The schema at {path} has no 'type' (nor enum, const, anyOf or $ref): say what the value is.", "type");
        }
        foreach (var keyword in new[] { "properties", "required", "additionalProperties" })
        {
            if (schema.TryGetProperty(keyword, out _) && !types.Contains("object"))
            {
                throw Invalid($"{path}.{keyword}", $"'{keyword}' at {path} needs type object.", keyword);
            }
        }
        if (schema.TryGetProperty("items", out _) && !types.Contains("array"))
        {
            throw Invalid($"{path}.items", $"'items' at {path} needs type array.", "items");
        }
        var nodes = types.Select(type => type switch
        {
            "object" => Object(schema, path),
            "array" => Array(schema, path),
            "string" => Add(new StringNode()),
            "number" => Add(new NumberNode(integer: false)),
            "integer" => Add(new NumberNode(integer: true)),
            "boolean" => Add(new LiteralNode([Bytes("true"), Bytes("false")])),
            _ => Add(new LiteralNode([Bytes("null")])),
        }).ToList();
        return nodes.Count == 1 ? nodes[0] : Add(new AnyOfNode(nodes));
    }

    private GrammarNode Object(JsonElement schema, string path)
    {
        var hasProperties = schema.TryGetProperty("properties", out var properties);
        if (hasProperties && properties.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{path}.properties", $"'properties' at {path} must be an object of schemas.");
        }
        var additional = schema.TryGetProperty("additionalProperties", out var extra) ? extra : (JsonElement?)null;
        if (additional is { ValueKind: not (JsonValueKind.False or JsonValueKind.True) })
        {
            throw Invalid($"{path}.additionalProperties", $"'additionalProperties' at {path} must be false (a schema for extra properties is not supported).",
                "additionalProperties");
        }
        if (_strict && additional is not { ValueKind: JsonValueKind.False })
        {
            throw Invalid($"{path}.additionalProperties", $"strict mode needs 'additionalProperties': false at {path}.", "additionalProperties");
        }

        var required = new HashSet<string>(StringComparer.Ordinal);
        if (schema.TryGetProperty("required", out var requiredList))
        {
            if (requiredList.ValueKind != JsonValueKind.Array || requiredList.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            {
                throw Invalid($"{path}.required", $"'required' at {path} must be an array of property names.", "required");
            }
            foreach (var name in requiredList.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!hasProperties || !properties.TryGetProperty(name, out _))
                {
                    throw Invalid($"{path}.required", $"'required' at {path} names '{name}', which is not in its properties.", "required");
                }
                required.Add(name);
            }
        }
        if (!hasProperties && additional is not { ValueKind: JsonValueKind.False })
        {
            // No declared properties and extras allowed (outside strict mode): any object.
            return Add(new AnyObjectNode());
        }

        var list = new List<ObjectProperty>();
        if (hasProperties)
        {
            foreach (var property in properties.EnumerateObject())
            {
                if (_strict && !required.Contains(property.Name))
                {
                    throw Invalid($"{path}.required", $"strict mode needs every property in 'required'; '{property.Name}' at {path} is not.", "required");
                }
                var value = Node(property.Value, $"{path}.properties.{property.Name}");
                list.Add(new ObjectProperty(property.Name, Json(property.Name), value, required.Contains(property.Name)));
            }
        }
        return Add(new ObjectNode(list));
    }

    private GrammarNode Array(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("items", out var items))
        {
            if (_strict)
            {
                throw Invalid($"{path}.items", $"strict mode needs 'items' for the array at {path}.", "items");
            }
            return Add(new ArrayNode(Add(new AnyValueNode())));
        }
        return Add(new ArrayNode(Node(items, $"{path}.items")));
    }

    private GrammarNode Ref(JsonElement reference, string path)
    {
        var pointer = reference.ValueKind == JsonValueKind.String ? reference.GetString()! : "";
        if (!pointer.StartsWith('#'))
        {
            throw Invalid(path, $"'$ref' at {path} must point into this schema ('#/$defs/name'); got '{pointer}'.", "$ref");
        }
        if (!_refs.TryGetValue(pointer, out var node))
        {
            _refs[pointer] = node = new RefNode(pointer);
            _nodes.Add(node);
            var target = Resolve(pointer, path);
            node.Target = Node(target, pointer.Length == 1 ? "$" : "$" + pointer[1..].Replace('/', '.'));
        }
        return node;
    }

    private JsonElement Resolve(string pointer, string path)
    {
        var at = _root;
        foreach (var raw in pointer[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var segment = Uri.UnescapeDataString(raw).Replace("~1", "/").Replace("~0", "~");
            if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty(segment, out at))
            {
                throw Invalid(path, $"'$ref' at {path} points to '{pointer}', which the schema does not have.", "$ref");
            }
        }
        return at;
    }

    /// <summary>Every $ref target is compiled when first met, so nothing is left to do but check (kept for clarity of order).</summary>
    private void ResolveRefs()
    {
        foreach (var node in _refs.Values)
        {
            if (node.Target is null)
            {
                throw Invalid("$", $"'$ref' '{node.Pointer}' could not be resolved.", "$ref");
            }
        }
    }

    private static void RequireAlone(JsonElement schema, string path, string keyword)
    {
        foreach (var other in schema.EnumerateObject())
        {
            if (other.Name != keyword && !Annotations.Contains(other.Name) && other.Name is not ("$defs" or "definitions"))
            {
                throw Invalid($"{path}.{other.Name}", $"'{other.Name}' beside '{keyword}' at {path} is not supported: put it inside the {keyword}'s schemas.",
                    other.Name);
            }
        }
    }

    private static List<string>? ReadTypes(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return null;
        }
        List<string> types = type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array when type.GetArrayLength() > 0 && type.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String) =>
                [.. type.EnumerateArray().Select(t => t.GetString()!).Distinct()],
            _ => throw Invalid($"{path}.type", $"'type' at {path} must be a type name or an array of them.", "type"),
        };
        foreach (var name in types)
        {
            if (!Types.Contains(name))
            {
                throw Invalid($"{path}.type", $"'type' at {path} is '{name}'; expected one of {string.Join(", ", Types)}.", "type");
            }
        }
        return types;
    }

    private static void CheckTypes(JsonElement value, List<string>? types, string path)
    {
        if (types is null) return;
        var fits = value.ValueKind switch
        {
            JsonValueKind.Object => types.Contains("object"),
            JsonValueKind.Array => types.Contains("array"),
            JsonValueKind.String => types.Contains("string"),
            JsonValueKind.Number => types.Contains("number") || types.Contains("integer") && value.TryGetInt64(out _),
            JsonValueKind.True or JsonValueKind.False => types.Contains("boolean"),
            _ => types.Contains("null"),
        };
        if (!fits)
        {
            throw Invalid(path, $"The value at {path} does not have the schema's type ({string.Join(", ", types)}).");
        }
    }

    private T Add<T>(T node) where T : GrammarNode
    {
        _nodes.Add(node);
        return node;
    }

    private static byte[] Json(JsonElement value) => JsonSerializer.SerializeToUtf8Bytes(value, CompactJson);

    private static byte[] Json(string text) => JsonSerializer.SerializeToUtf8Bytes(text, CompactJson);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Fewest bytes per node, to a fixed point (recursion through $ref converges or stays infinite).</summary>
    private static void SetMinLengths(IReadOnlyList<GrammarNode> nodes)
    {
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var node in nodes)
            {
                var length = node switch
                {
                    ObjectNode o => ObjectMin(o),
                    AnyObjectNode => 2,
                    AnyValueNode => 1,
                    ArrayNode => 2,
                    StringNode => 2,
                    NumberNode => 1,
                    LiteralNode l => l.Alternatives.Min(a => a.Length),
                    AnyOfNode a => a.Options.Min(o => o.MinLength),
                    RefNode r => r.Target.MinLength,
                    _ => int.MaxValue,
                };
                if (length < node.MinLength)
                {
                    node.MinLength = length;
                    changed = true;
                }
            }
        }
    }

    private static int ObjectMin(ObjectNode o)
    {
        long total = 2;
        var count = 0;
        foreach (var p in o.Properties.Where(p => p.Required))
        {
            total += p.Key.Length + 1 + (long)p.Value.MinLength + (count++ > 0 ? 1 : 0);
        }
        return (int)Math.Min(total, int.MaxValue);
    }

    private static InferenceException Invalid(string path, string message, string? keyword = null) =>
        InferenceException.Invalid($"Structured output schema: {message}");
}
