namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>The Jinja tests chat templates use (<c>value is defined</c>); any other is refused by name.</summary>
internal static class IsTests
{
    public static bool Apply(string name, object? value) => name switch
    {
        "defined" => value is not Undefined,
        "undefined" => value is Undefined,
        "none" => value is null,
        "string" => value is string,
        "number" => value is long or double,
        "boolean" => value is bool,
        "mapping" => value is Dictionary<string, object?>,
        "sequence" or "iterable" => value is List<object?> or string,
        "true" => value is true,
        "false" => value is false,
        _ => throw new ChatTemplateException($"unsupported test 'is {name}'"),
    };
}
