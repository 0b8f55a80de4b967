using System.Globalization;
using System.Text.Json;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>What a missing variable, attribute or index evaluates to: false, empty when printed.</summary>
internal sealed class Undefined
{
    public static readonly Undefined Value = new();
}

/// <summary>The mutable object namespace() returns (Jinja's way to carry values out of loops).</summary>
internal sealed class Namespace : Dictionary<string, object?>;

/// <summary>
/// Python's meaning of template values, which are only null, <see cref="Undefined"/>, string, bool, long,
/// double, List&lt;object?&gt;, Dictionary&lt;string, object?&gt; and <see cref="Namespace"/>: truthiness, printing
/// (None, True), numbers, equality across long and double, type names for messages, and JSON.
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
        Dictionary<string, object?> d => d.Count > 0,
        _ => true,
    };

    public static string ToText(object? v) => v switch
    {
        null => "None",
        Undefined => string.Empty,
        string s => s,
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString(CultureInfo.InvariantCulture),
        _ => ToJson(v),
    };

    public static double ToNumber(object? v) => v switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new ChatTemplateException($"expected a number but got {TypeName(v)}"),
    };

    public static bool AreEqual(object? a, object? b) => (a, b) switch
    {
        (long x, double y) => x == y,
        (double x, long y) => x == y,
        (Undefined, Undefined) => true,
        _ => Equals(a, b),
    };

    public static string TypeName(object? v) => v switch
    {
        null => "none",
        Undefined => "an undefined value",
        string => "a string",
        long or double => "a number",
        bool => "a boolean",
        List<object?> => "a list",
        Dictionary<string, object?> => "a mapping",
        _ => "a value",
    };

    public static string ToJson(object? v) => JsonSerializer.Serialize(ToPlain(v));

    private static object? ToPlain(object? v) => v switch
    {
        Undefined => null,
        List<object?> l => l.Select(ToPlain).ToList(),
        Dictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => ToPlain(kv.Value)),
        _ => v,
    };
}
