namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>A binary operator with Python's meaning: + joins strings and lists, * repeats them, // floors, ~ joins as text.</summary>
internal sealed record Binary(string Op, Expr Left, Expr Right) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var a = Left.Evaluate(context);
        var b = Right.Evaluate(context);
        switch (Op)
        {
            case "==": return Values.AreEqual(a, b);
            case "!=": return !Values.AreEqual(a, b);
            case "~": return Values.ToText(a) + Values.ToText(b);
            case "in": return Contains(b, a);
            case "<": return Values.Compare(a, b) < 0;
            case ">": return Values.Compare(a, b) > 0;
            case "<=": return Values.Compare(a, b) <= 0;
            case ">=": return Values.Compare(a, b) >= 0;
        }
        if (a is Undefined) throw Undefinedness.Error(Left, Op);
        if (b is Undefined) throw Undefinedness.Error(Right, Op);
        switch (Op)
        {
            case "+" when a is string x && b is string y: return x + y;
            case "+" when a is List<object?> x && b is List<object?> y: return x.Concat(y).ToList();
            case "*" when a is string s && b is long or bool: return Repeat(s, b);
            case "*" when b is string s && a is long or bool: return Repeat(s, a);
            case "*" when a is List<object?> l && b is long n: return Enumerable.Repeat(l, (int)Math.Max(0, n)).SelectMany(x => x).ToList();
        }
        if (!Values.IsNumber(a) || !Values.IsNumber(b))
        {
            throw new ChatTemplateException($"unsupported operand types for {Op}: {Values.TypeName(a)} and {Values.TypeName(b)}");
        }
        if (a is not double && b is not double && Op != "/")
        {
            var (x, y) = ((long)Values.ToNumber(a), (long)Values.ToNumber(b));
            if (Op == "**" && y < 0) return Math.Pow(x, y);
            return Op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "//" => y == 0 ? throw new ChatTemplateException("division by zero") : (long)Math.Floor((double)x / y),
                "%" => y == 0 ? throw new ChatTemplateException("division by zero") : ((x % y) + y) % y,
                "**" => (long)Math.Pow(x, y),
                _ => throw new ChatTemplateException($"unsupported operator '{Op}'"),
            };
        }
        var (p, q) = (Values.ToNumber(a), Values.ToNumber(b));
        if (q == 0 && Op is "/" or "//" or "%") throw new ChatTemplateException("division by zero");
        return Op switch
        {
            "+" => p + q,
            "-" => p - q,
            "*" => p * q,
            "/" => p / q,
            "//" => Math.Floor(p / q),
            "%" => p - q * Math.Floor(p / q),
            "**" => Math.Pow(p, q),
            _ => throw new ChatTemplateException($"unsupported operator '{Op}'"),
        };
    }

    /// <summary>Python's <c>item in container</c>.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        string => throw new ChatTemplateException($"'in <string>' requires a string, not {Values.TypeName(item)}"),
        List<object?> list => list.Any(x => Values.AreEqual(x, item)),
        Dictionary<string, object?> d => item is string key && d.ContainsKey(key),
        Undefined => false,
        _ => throw new ChatTemplateException($"{Values.TypeName(container)} does not support 'in'"),
    };

    private static string Repeat(string s, object? times) =>
        string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, Values.ToNumber(times))));
}
