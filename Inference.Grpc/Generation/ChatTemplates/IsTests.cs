namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>Jinja's tests (<c>value is defined</c>, <c>x is divisibleby(3)</c>); any other is refused by name.</summary>
internal static class IsTests
{
    public static bool Apply(string name, object? value, List<object?> args)
    {
        object? Arg() => args.Count > 0 ? args[0] : throw new ChatTemplateException($"the test '{name}' needs an argument");
        return name switch
        {
            "defined" => value is not Undefined,
            "undefined" => value is Undefined,
            "none" => value is null,
            "string" => value is string,
            "number" => value is long or double,
            "integer" => value is long,
            "float" => value is double,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "mapping" => value is Dictionary<string, object?>,
            "sequence" => value is List<object?> or string or Dictionary<string, object?>,
            "iterable" => value is List<object?> or string or Dictionary<string, object?> or Undefined,
            "callable" => value is Macro or GlobalFunction or BoundMethod,
            "odd" => (long)Values.ToNumber(value) % 2 != 0,
            "even" => (long)Values.ToNumber(value) % 2 == 0,
            "divisibleby" => (long)Values.ToNumber(value) % (long)Values.ToNumber(Arg()) == 0,
            "lower" => value is string l && l == l.ToLowerInvariant(),
            "upper" => value is string u && u == u.ToUpperInvariant(),
            "equalto" or "eq" or "==" => Values.AreEqual(value, Arg()),
            "ne" or "!=" => !Values.AreEqual(value, Arg()),
            "lt" or "lessthan" or "<" => Values.Compare(value, Arg()) < 0,
            "le" or "<=" => Values.Compare(value, Arg()) <= 0,
            "gt" or "greaterthan" or ">" => Values.Compare(value, Arg()) > 0,
            "ge" or ">=" => Values.Compare(value, Arg()) >= 0,
            "in" => Binary.Contains(Arg(), value),
            "sameas" => ReferenceEquals(value, Arg()) || (value is null or bool && Values.AreEqual(value, Arg()) && value?.GetType() == Arg()?.GetType()),
            _ => throw new ChatTemplateException($"unsupported test 'is {name}'"),
        };
    }

    public static bool Exists(string name) => name is "defined" or "undefined" or "none" or "string" or "number" or "integer" or "float"
        or "boolean" or "true" or "false" or "mapping" or "sequence" or "iterable" or "callable" or "odd" or "even" or "divisibleby"
        or "lower" or "upper" or "equalto" or "eq" or "==" or "ne" or "!=" or "lt" or "lessthan" or "<" or "le" or "<=" or "gt"
        or "greaterthan" or ">" or "ge" or ">=" or "in" or "sameas";
}
