namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>The Jinja filters chat templates use (<c>value | trim</c>); any other is refused by name.</summary>
internal static class Filters
{
    public static object? Apply(string name, object? value, List<object?> args) => name switch
    {
        "trim" => Values.ToText(value).Trim(),
        "upper" => Values.ToText(value).ToUpperInvariant(),
        "lower" => Values.ToText(value).ToLowerInvariant(),
        "string" => Values.ToText(value),
        "length" or "count" => value switch
        {
            string s => (long)s.Length,
            List<object?> l => (long)l.Count,
            Dictionary<string, object?> d => (long)d.Count,
            _ => 0L,
        },
        "first" => value is List<object?> { Count: > 0 } f ? f[0] : Undefined.Value,
        "last" => value is List<object?> { Count: > 0 } l2 ? l2[^1] : Undefined.Value,
        "default" or "d" => value is Undefined || (args.Count > 1 && Values.IsTrue(args[1]) && !Values.IsTrue(value))
            ? args.FirstOrDefault() ?? string.Empty : value,
        "join" => string.Join(args.Count > 0 ? Values.ToText(args[0]) : string.Empty,
            (value as List<object?> ?? []).Select(Values.ToText)),
        "tojson" => Values.ToJson(value),
        "list" => value is List<object?> ? value : value is string str ? str.Select(c => (object?)c.ToString()).ToList() : new List<object?>(),
        _ => throw new ChatTemplateException($"unsupported filter '{name}'"),
    };
}
