namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// A {% macro %}: called like a function, it renders its body with its parameters bound (missing ones take their
/// defaults, or are undefined) and returns the text. Its body sees the template's globals, as Jinja's macros do.
/// </summary>
internal sealed record Macro(string Name, List<(string Name, Expr? Default)> Parameters, List<Node> Body)
{
    public string Invoke(List<object?> args, Dictionary<string, object?> kwargs, RenderContext context)
    {
        if (args.Count > Parameters.Count) throw new ChatTemplateException($"macro '{Name}' takes {Parameters.Count} arguments, not {args.Count}");
        var locals = new Dictionary<string, object?>();
        var scopes = new List<Dictionary<string, object?>> { context.Scopes[0], locals };
        for (var i = 0; i < Parameters.Count; i++)
        {
            var (name, fallback) = Parameters[i];
            locals[name] = i < args.Count ? args[i]
                : kwargs.TryGetValue(name, out var given) ? given
                : fallback is null ? Undefined.Value
                : Evaluate(fallback, context, scopes);
        }
        foreach (var key in kwargs.Keys)
        {
            if (!Parameters.Any(p => p.Name == key)) throw new ChatTemplateException($"macro '{Name}' has no parameter '{key}'");
        }
        return context.Capture(scopes, () => Node.RenderAll(Body, context));
    }

    private static object? Evaluate(Expr e, RenderContext context, List<Dictionary<string, object?>> scopes)
    {
        object? value = null;
        context.Capture(scopes, () => value = e.Evaluate(context));
        return value;
    }
}
