namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>A method looked up on a value (<c>s.strip</c>, <c>d.items</c>), waiting to be called.</summary>
internal sealed record BoundMethod(object? Target, string Name);

/// <summary>
/// The Python methods templates call on strings, dicts and lists, with Python's results. Only methods that read are
/// here: transformers renders in Jinja's immutable sandbox, where list.append or dict.update are refused too.
/// </summary>
internal static class Methods
{
    private static readonly HashSet<string> StringMethods =
    [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower", "title",
        "capitalize", "replace", "find", "rfind", "count", "join", "isdigit", "isalpha", "isspace", "isupper", "islower",
    ];

    private static readonly HashSet<string> DictMethods = ["items", "keys", "values", "get"];
    private static readonly HashSet<string> ListMethods = ["index", "count"];

    public static bool Has(object? target, string name) => target switch
    {
        string => StringMethods.Contains(name),
        Dictionary<string, object?> => DictMethods.Contains(name),
        List<object?> => ListMethods.Contains(name),
        _ => false,
    };

    public static object? Call(BoundMethod m, List<object?> args, Dictionary<string, object?> kwargs) => m.Target switch
    {
        string s => CallString(s, m.Name, args, kwargs),
        Dictionary<string, object?> d => m.Name switch
        {
            "items" => d.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList(),
            "keys" => d.Keys.Select(k => (object?)k).ToList(),
            "values" => d.Values.ToList(),
            _ => args.Count > 0 && args[0] is string key && d.TryGetValue(key, out var v) ? v : Arg(args, kwargs, 1, "default"),
        },
        List<object?> l => m.Name == "count"
            ? l.LongCount(x => Values.AreEqual(x, args.FirstOrDefault()))
            : l.FindIndex(x => Values.AreEqual(x, args.FirstOrDefault())) is var at and >= 0 ? (long)at
                : throw new ChatTemplateException("list.index(x): x not in list"),
        _ => throw new ChatTemplateException($"{Values.TypeName(m.Target)} has no method '{m.Name}'"),
    };

    private static object? Arg(List<object?> args, Dictionary<string, object?> kwargs, int position, string name) =>
        position < args.Count ? args[position] : kwargs.TryGetValue(name, out var v) ? v : null;

    private static object? CallString(string s, string name, List<object?> args, Dictionary<string, object?> kwargs)
    {
        string? Text(int i, string key) => Arg(args, kwargs, i, key) switch
        {
            null => null,
            string t => t,
            var other => throw new ChatTemplateException($"str.{name}() expects a string argument, not {Values.TypeName(other)}"),
        };
        switch (name)
        {
            case "strip": return Text(0, "chars") is { } c1 ? s.Trim(c1.ToCharArray()) : s.Trim();
            case "lstrip": return Text(0, "chars") is { } c2 ? s.TrimStart(c2.ToCharArray()) : s.TrimStart();
            case "rstrip": return Text(0, "chars") is { } c3 ? s.TrimEnd(c3.ToCharArray()) : s.TrimEnd();
            case "upper": return s.ToUpperInvariant();
            case "lower": return s.ToLowerInvariant();
            case "title": return Filters.Title(s);
            case "capitalize": return s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();
            case "startswith": return Affix(s, Arg(args, kwargs, 0, "prefix"), start: true);
            case "endswith": return Affix(s, Arg(args, kwargs, 0, "suffix"), start: false);
            case "replace":
                var count = Arg(args, kwargs, 2, "count") is { } n ? (long)Values.ToNumber(n) : -1;
                return Replace(s, Text(0, "old") ?? "", Text(1, "new") ?? "", count);
            case "find": return (long)s.IndexOf(Text(0, "sub") ?? "", StringComparison.Ordinal);
            case "rfind": return (long)s.LastIndexOf(Text(0, "sub") ?? "", StringComparison.Ordinal);
            case "count":
                var sub = Text(0, "sub") ?? "";
                return sub.Length == 0 ? (long)s.Length + 1 : (long)(s.Length - s.Replace(sub, "", StringComparison.Ordinal).Length) / sub.Length;
            case "join": return string.Join(s, Values.Iterate(args.FirstOrDefault()).Select(Values.ToText));
            case "isdigit": return s.Length > 0 && s.All(char.IsDigit);
            case "isalpha": return s.Length > 0 && s.All(char.IsLetter);
            case "isspace": return s.Length > 0 && s.All(char.IsWhiteSpace);
            case "isupper": return s.Any(char.IsLetter) && !s.Any(char.IsLower);
            case "islower": return s.Any(char.IsLetter) && !s.Any(char.IsUpper);
            case "splitlines": return s.Split('\n').Select(x => (object?)x.TrimEnd('\r')).ToList() is var lines && s.EndsWith('\n') ? lines.SkipLast(1).ToList() : lines;
            default:
                var separator = Text(0, "sep");
                var max = Arg(args, kwargs, 1, "maxsplit") is { } m ? (int)Values.ToNumber(m) : -1;
                return Split(s, separator, max, fromRight: name == "rsplit");
        }
    }

    private static bool Affix(string s, object? affix, bool start) => affix switch
    {
        string a => start ? s.StartsWith(a, StringComparison.Ordinal) : s.EndsWith(a, StringComparison.Ordinal),
        List<object?> options => options.Any(o => Affix(s, o, start)),
        _ => throw new ChatTemplateException($"str.{(start ? "startswith" : "endswith")}() takes a string or a tuple of strings"),
    };

    private static string Replace(string s, string old, string replacement, long count)
    {
        if (count < 0) return old.Length == 0 ? string.Join(replacement, Values.TextElements(s).Prepend("").Append("")) : s.Replace(old, replacement, StringComparison.Ordinal);
        var result = new System.Text.StringBuilder();
        var at = 0;
        for (var n = 0; n < count; n++)
        {
            var next = s.IndexOf(old, at, StringComparison.Ordinal);
            if (next < 0 || old.Length == 0) break;
            result.Append(s, at, next - at).Append(replacement);
            at = next + old.Length;
        }
        return result.Append(s, at, s.Length - at).ToString();
    }

    /// <summary>str.split / str.rsplit: on a separator, or on runs of whitespace (empty parts dropped) when none is given.</summary>
    private static List<object?> Split(string s, string? separator, int max, bool fromRight)
    {
        if (separator is "") throw new ChatTemplateException("str.split(): empty separator");
        List<string> parts;
        if (separator is null)
        {
            parts = [.. s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)];
            if (max >= 0 && parts.Count > max + 1)
            {
                // Python keeps the rest of the string, its inner whitespace included, as the last part.
                parts = fromRight ? SplitWhitespaceRight(s, max) : SplitWhitespaceLeft(s, max);
            }
        }
        else
        {
            parts = [.. s.Split(separator)];
            if (max >= 0 && parts.Count > max + 1)
            {
                parts = fromRight
                    ? [string.Join(separator, parts.Take(parts.Count - max)), .. parts.Skip(parts.Count - max)]
                    : [.. parts.Take(max), string.Join(separator, parts.Skip(max))];
            }
        }
        return parts.Select(p => (object?)p).ToList();
    }

    private static List<string> SplitWhitespaceLeft(string s, int max)
    {
        var parts = new List<string>();
        var i = 0;
        while (parts.Count < max)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
            var start = i;
            while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
            parts.Add(s[start..i]);
        }
        parts.Add(s[i..].TrimStart());
        return parts;
    }

    private static List<string> SplitWhitespaceRight(string s, int max)
    {
        var parts = new List<string>();
        var i = s.Length;
        while (parts.Count < max)
        {
            while (i > 0 && char.IsWhiteSpace(s[i - 1])) i--;
            var end = i;
            while (i > 0 && !char.IsWhiteSpace(s[i - 1])) i--;
            parts.Insert(0, s[i..end]);
        }
        parts.Insert(0, s[..i].TrimEnd());
        return parts;
    }
}
