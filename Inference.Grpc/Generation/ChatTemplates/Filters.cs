using System.Globalization;
using System.Text.RegularExpressions;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// Jinja's filters with their Jinja/Python results (<c>value | trim</c>), and tojson as transformers replaces it
/// (<see cref="PythonJson"/>); a filter not listed here is refused when the template loads.
/// </summary>
internal static partial class Filters
{
    private static readonly HashSet<string> Known =
    [
        "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "first", "float", "indent", "int", "items", "join",
        "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe",
        "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount",
    ];

    public static bool Exists(string name) => Known.Contains(name);

    public static object? Apply(string name, object? value, List<object?> args, Dictionary<string, object?> kwargs, RenderContext context)
    {
        object? Arg(int i, string key, object? fallback = null) => i < args.Count ? args[i] : kwargs.TryGetValue(key, out var v) ? v : fallback;
        switch (name)
        {
            case "trim":
                return Arg(0, "chars") is string chars ? Values.ToText(value).Trim(chars.ToCharArray()) : Values.ToText(value).Trim();
            case "upper": return Values.ToText(value).ToUpperInvariant();
            case "lower": return Values.ToText(value).ToLowerInvariant();
            case "capitalize":
                var text = Values.ToText(value);
                return text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant();
            case "title": return Title(Values.ToText(value));
            case "string": return Values.ToText(value);
            case "safe": return value;
            case "length" or "count": return Values.Length(value);
            case "wordcount": return (long)Values.ToText(value).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            case "first": return Values.Iterate(value) is { Count: > 0 } f ? f[0] : Undefined.Value;
            case "last": return Values.Iterate(value) is { Count: > 0 } l ? l[^1] : Undefined.Value;
            case "default" or "d":
                var boolean = Values.IsTrue(Arg(1, "boolean", false));
                return value is Undefined || (boolean && !Values.IsTrue(value)) ? Arg(0, "default_value", "") : value;
            case "join":
                var items = Values.Iterate(value);
                if (Arg(1, "attribute") is { } attribute) items = items.Select(i => Attr(i, attribute)).ToList();
                return string.Join(Values.ToText(Arg(0, "d", "")), items.Select(Values.ToText));
            case "list": return Values.Iterate(value).ToList();
            case "items":
                return value switch
                {
                    Undefined => new List<object?>(),
                    Dictionary<string, object?> dict => dict.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList(),
                    _ => throw new ChatTemplateException($"items: {Values.TypeName(value)} is not a mapping"),
                };
            case "dictsort":
                if (value is not Dictionary<string, object?> sorted) throw new ChatTemplateException("dictsort needs a mapping");
                return sorted.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase).Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList();
            case "reverse":
                return value is string r ? string.Concat(Values.TextElements(r).Cast<string>().Reverse()) : Values.Iterate(value).AsEnumerable().Reverse().ToList();
            case "unique":
                var unique = new List<object?>();
                foreach (var item in Values.Iterate(value)) if (!unique.Any(u => Values.AreEqual(u, item))) unique.Add(item);
                return unique;
            case "sort":
                var list = Values.Iterate(value).ToList();
                var key = Arg(2, "attribute");
                list.Sort((a, b) => Values.Compare(key is null ? a : Attr(a, key), key is null ? b : Attr(b, key)));
                if (Values.IsTrue(Arg(0, "reverse", false))) list.Reverse();
                return list;
            case "sum":
                object? total = Arg(1, "start", 0L);
                foreach (var item in Values.Iterate(value))
                {
                    var addend = Arg(0, "attribute") is { } sumBy ? Attr(item, sumBy) : item;
                    total = total is long x && addend is long y ? x + y : Values.ToNumber(total) + Values.ToNumber(addend);
                }
                return total;
            case "min" or "max":
                var all = Values.Iterate(value);
                if (all.Count == 0) return Undefined.Value;
                return all.Aggregate((a, b) => (Values.Compare(a, b) <= 0) == (name == "min") ? a : b);
            case "abs": return value is long n ? (object)Math.Abs(n) : Math.Abs(Values.ToNumber(value));
            case "int": return ToInt(value, Arg(0, "default", 0L));
            case "float": return ToFloat(value, Arg(0, "default", 0.0));
            case "round":
                var precision = (int)Values.ToNumber(Arg(0, "precision", 0L));
                var method = Values.ToText(Arg(1, "method", "common"));
                var number = Values.ToNumber(value);
                var scale = Math.Pow(10, precision);
                return method switch
                {
                    "ceil" => Math.Ceiling(number * scale) / scale,
                    "floor" => Math.Floor(number * scale) / scale,
                    _ => Math.Round(number, precision, MidpointRounding.AwayFromZero),
                };
            case "replace":
                return Methods.Call(new BoundMethod(Values.ToText(value), "replace"),
                    [Values.ToText(Arg(0, "old", "")), Values.ToText(Arg(1, "new", "")), .. Arg(2, "count") is { } c ? new[] { c } : []], []);
            case "indent": return Indent(Values.ToText(value), Arg(0, "width", 4L), Values.IsTrue(Arg(1, "first", false)), Values.IsTrue(Arg(2, "blank", false)));
            case "attr": return Attr(value, Arg(0, "name"));
            case "map":
                if (kwargs.TryGetValue("attribute", out var mapAttribute))
                {
                    return Values.Iterate(value).Select(i => Attr(i, mapAttribute) is Undefined && kwargs.TryGetValue("default", out var dv) ? dv : Attr(i, mapAttribute)).ToList();
                }
                var filter = Values.ToText(Arg(0, "filter"));
                if (!Exists(filter)) throw new ChatTemplateException($"map: unsupported filter '{filter}'");
                return Values.Iterate(value).Select(i => Apply(filter, i, args.Skip(1).ToList(), [], context)).ToList();
            case "select" or "reject":
                return Values.Iterate(value).Where(i => Test(i, args, 0) == (name == "select")).ToList();
            case "selectattr" or "rejectattr":
                var by = Arg(0, "attribute");
                return Values.Iterate(value).Where(i => Test(Attr(i, by), args, 1) == (name == "selectattr")).ToList();
            case "tojson":
                var indent = Arg(1, "indent") switch
                {
                    null => null,
                    long spaces => new string(' ', (int)spaces),
                    string s => s,
                    var other => throw new ChatTemplateException($"tojson: indent must be a number or a string, not {Values.TypeName(other)}"),
                };
                (string, string)? separators = Arg(2, "separators") is List<object?> { Count: 2 } sep ? (Values.ToText(sep[0]), Values.ToText(sep[1])) : null;
                return PythonJson.Dumps(value, indent, separators, Values.IsTrue(Arg(3, "sort_keys", false)), Values.IsTrue(Arg(0, "ensure_ascii", false)));
        }
        throw new ChatTemplateException($"unsupported filter '{name}'");
    }

    /// <summary>Jinja's attribute lookup as filters do it (map, selectattr, sort): "a.b" walks into nested items.</summary>
    private static object? Attr(object? item, object? attribute)
    {
        foreach (var part in Values.ToText(attribute).Split('.'))
        {
            item = item is Undefined ? item : long.TryParse(part, out var n) && item is List<object?> ? Index.Item(item, n) : Index.Item(item, part);
        }
        return item;
    }

    private static bool Test(object? item, List<object?> args, int at) =>
        args.Count <= at ? Values.IsTrue(item) : IsTests.Apply(Values.ToText(args[at]), item, args.Skip(at + 1).ToList());

    private static object? ToInt(object? value, object? fallback) => value switch
    {
        long or bool => (long)Values.ToNumber(value),
        double d => (long)Math.Truncate(d),
        string s when long.TryParse(s.Trim().Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => (long)Math.Truncate(d),
        _ => fallback,
    };

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        long or bool or double => Values.ToNumber(value),
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => fallback,
    };

    private static string Indent(string s, object? width, bool first, bool blank)
    {
        var pad = width is string w ? w : new string(' ', (int)Values.ToNumber(width));
        var lines = s.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if ((i > 0 || first) && (blank || lines[i].Length > 0)) lines[i] = pad + lines[i];
        }
        return string.Join('\n', lines);
    }

    /// <summary>Jinja's title filter: each word that starts after "-", whitespace or an opening bracket is capitalized.</summary>
    public static string Title(string s) =>
        string.Concat(WordBeginning().Split(s).Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p[1..].ToLowerInvariant()));

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginning();
}
