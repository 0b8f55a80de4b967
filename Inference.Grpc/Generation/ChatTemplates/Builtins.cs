namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>A string method looked up on a value (<c>s.strip</c>), waiting to be called.</summary>
internal sealed record BoundMethod(object? Target, string Name);

/// <summary>
/// What templates may call: the global functions raise_exception (the template refuses the messages),
/// namespace (a mutable object for values that outlive a loop) and range, and Python's string methods that
/// chat templates use. Nothing else is callable, so no .NET member is ever reachable from a template.
/// </summary>
internal static class Builtins
{
    private static readonly HashSet<string> StringMethods =
        ["strip", "lstrip", "rstrip", "startswith", "endswith", "upper", "lower", "replace", "split"];

    public static bool IsStringMethod(string name) => StringMethods.Contains(name);

    public static object? CallFunction(string name, List<object?> args, Dictionary<string, Expr> kwargs, RenderContext context)
    {
        switch (name)
        {
            case "raise_exception":
                throw new ChatTemplateException("the template refused the messages: " + Values.ToText(args.FirstOrDefault()));
            case "namespace":
                var ns = new Namespace();
                foreach (var (k, e) in kwargs) ns[k] = e.Evaluate(context);
                return ns;
            case "range":
                var (from, to) = args.Count == 1 ? (0L, (long)Values.ToNumber(args[0])) : ((long)Values.ToNumber(args[0]), (long)Values.ToNumber(args[1]));
                if (to - from > RenderContext.MaxIterations) throw new ChatTemplateException("range() is too long");
                return Enumerable.Range(0, (int)Math.Max(0, to - from)).Select(i => (object?)(from + i)).ToList();
        }
        throw new ChatTemplateException($"unknown function '{name}'");
    }

    public static object? CallMethod(BoundMethod m, List<object?> args)
    {
        if (m.Target is string s)
        {
            string Arg(int i) => Values.ToText(args[i]);
            return m.Name switch
            {
                "strip" => args.Count > 0 ? s.Trim(Arg(0).ToCharArray()) : s.Trim(),
                "lstrip" => args.Count > 0 ? s.TrimStart(Arg(0).ToCharArray()) : s.TrimStart(),
                "rstrip" => args.Count > 0 ? s.TrimEnd(Arg(0).ToCharArray()) : s.TrimEnd(),
                "startswith" => s.StartsWith(Arg(0), StringComparison.Ordinal),
                "endswith" => s.EndsWith(Arg(0), StringComparison.Ordinal),
                "upper" => s.ToUpperInvariant(),
                "lower" => s.ToLowerInvariant(),
                "replace" => s.Replace(Arg(0), Arg(1), StringComparison.Ordinal),
                "split" => (args.Count > 0 ? s.Split(Arg(0)) : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                    .Select(x => (object?)x).ToList(),
                _ => throw new ChatTemplateException($"unsupported string method '{m.Name}'"),
            };
        }
        throw new ChatTemplateException($"unsupported method '{m.Name}' on {Values.TypeName(m.Target)}");
    }
}
