using System.Globalization;
using System.Text;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>What a missing variable, attribute or index evaluates to: false, empty when printed, an error when used further.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Value = new();
}

/// <summary>The mutable object namespace() returns (Jinja's way to carry values out of loops).</summary>
internal sealed class Namespace : Dictionary<string, object?>;

/// <summary>A global function of the template (raise_exception, namespace, range, strftime_now), a value until called.</summary>
internal sealed record GlobalFunction(string Name);

/// <summary>
/// Python's meaning of template values, which are only null (None), <see cref="Undefined"/>, string, bool, long,
/// double, List&lt;object?&gt; (lists and tuples), Dictionary&lt;string, object?&gt;, <see cref="Namespace"/> and
/// callables: truthiness, str() and repr() as Python prints them, numbers, equality across bool, long and double, and
/// type names for messages.
/// </summary>
internal static class Values
{
    public static bool IsTrue(object? v) => v switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> l => l.Count > 0,
        Namespace => true,
        Dictionary<string, object?> d => d.Count > 0,
        _ => true,
    };

    /// <summary>Python's str(): what {{ value }} prints.</summary>
    public static string ToText(object? v) => v switch
    {
        string s => s,
        Undefined => string.Empty,
        _ => Repr(v),
    };

    /// <summary>Python's repr(), as lists and dicts print their items.</summary>
    public static string Repr(object? v)
    {
        var sb = new StringBuilder();
        AppendRepr(sb, v);
        return sb.ToString();
    }

    private static void AppendRepr(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null: sb.Append("None"); break;
            case Undefined: break;
            case bool b: sb.Append(b ? "True" : "False"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(FormatFloat(d)); break;
            case string s: AppendStringRepr(sb, s); break;
            case List<object?> list:
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendRepr(sb, list[i]);
                }
                sb.Append(']');
                break;
            case Namespace ns:
                sb.Append("<Namespace ");
                AppendDict(sb, ns);
                sb.Append('>');
                break;
            case Dictionary<string, object?> dict: AppendDict(sb, dict); break;
            case Macro m: sb.Append("<Macro '").Append(m.Name).Append("'>"); break;
            default: sb.Append(v); break;
        }
    }

    private static void AppendDict(StringBuilder sb, Dictionary<string, object?> dict)
    {
        sb.Append('{');
        var first = true;
        foreach (var (k, value) in dict)
        {
            if (!first) sb.Append(", ");
            first = false;
            AppendStringRepr(sb, k);
            sb.Append(": ");
            AppendRepr(sb, value);
        }
        sb.Append('}');
    }

    private static void AppendStringRepr(StringBuilder sb, string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        sb.Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append(quote);
    }

    /// <summary>Python's repr of a float: "1.0", "0.5", "1e-05", "inf".</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        if (d == Math.Floor(d) && Math.Abs(d) < 1e16) return d.ToString("0", CultureInfo.InvariantCulture) + ".0";
        return d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e", StringComparison.Ordinal);
    }

    public static double ToNumber(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new ChatTemplateException($"expected a number but got {TypeName(v)}"),
    };

    public static bool IsNumber(object? v) => v is long or double or bool;

    /// <summary>Python's ==: 1 == 1.0 == True, lists and dicts by their items, Undefined equal only to Undefined.</summary>
    public static bool AreEqual(object? a, object? b)
    {
        if (a is Undefined || b is Undefined) return a is Undefined && b is Undefined;
        if (IsNumber(a) && IsNumber(b)) return ToNumber(a) == ToNumber(b);
        return (a, b) switch
        {
            (null, null) => true,
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => AreEqual(p.First, p.Second)),
            (Dictionary<string, object?> x, Dictionary<string, object?> y) =>
                x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var other) && AreEqual(kv.Value, other)),
            _ => ReferenceEquals(a, b) || Equals(a, b),
        };
    }

    /// <summary>Python's ordering of two values of the same kind (numbers, strings, lists).</summary>
    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b)) return ToNumber(a).CompareTo(ToNumber(b));
        if (a is string x && b is string y) return string.CompareOrdinal(x, y);
        if (a is List<object?> l && b is List<object?> r)
        {
            for (var i = 0; i < Math.Min(l.Count, r.Count); i++)
            {
                var c = Compare(l[i], r[i]);
                if (c != 0) return c;
            }
            return l.Count.CompareTo(r.Count);
        }
        throw new ChatTemplateException($"cannot compare {TypeName(a)} with {TypeName(b)}");
    }

    public static string TypeName(object? v) => v switch
    {
        null => "none",
        Undefined => "an undefined value",
        string => "a string",
        long or double => "a number",
        bool => "a boolean",
        List<object?> => "a list",
        Namespace => "a namespace",
        Dictionary<string, object?> => "a mapping",
        Macro or GlobalFunction or BoundMethod => "a function",
        _ => "a value",
    };

    /// <summary>What a for loop or a filter walks: a list's items, a dict's keys, a string's characters; Undefined is empty.</summary>
    public static List<object?> Iterate(object? v) => v switch
    {
        List<object?> list => list,
        Dictionary<string, object?> dict => dict.Keys.Select(k => (object?)k).ToList(),
        string s => TextElements(s),
        Undefined => [],
        _ => throw new ChatTemplateException($"{TypeName(v)} is not iterable"),
    };

    /// <summary>A string's characters as Python sees them: code points (a surrogate pair is one).</summary>
    public static List<object?> TextElements(string s)
    {
        var list = new List<object?>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                list.Add(s.Substring(i++, 2));
            }
            else
            {
                list.Add(s[i].ToString());
            }
        }
        return list;
    }

    /// <summary>len() as Python counts: code points of a string, items of a list or dict.</summary>
    public static long Length(object? v) => v switch
    {
        string s => s.EnumerateRunes().Count(),
        List<object?> l => l.Count,
        Dictionary<string, object?> d => d.Count,
        Undefined => 0,
        _ => throw new ChatTemplateException($"{TypeName(v)} has no length"),
    };
}
