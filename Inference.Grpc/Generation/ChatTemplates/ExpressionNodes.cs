namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>An expression of the template, evaluated against the render's scopes to a template value.</summary>
internal abstract record Expr
{
    public abstract object? Evaluate(RenderContext context);
}

internal sealed record Literal(object? Value) : Expr
{
    public override object? Evaluate(RenderContext context) => Value;
}

internal sealed record Variable(string Name) : Expr
{
    public override object? Evaluate(RenderContext context) => context.Lookup(Name);
}

internal sealed record ListExpr(List<Expr> Items) : Expr
{
    public override object? Evaluate(RenderContext context) => Items.Select(i => i.Evaluate(context)).ToList();
}

internal sealed record DictExpr(List<(Expr Key, Expr Value)> Entries) : Expr
{
    public override object? Evaluate(RenderContext context) =>
        Entries.ToDictionary(e => Values.ToText(e.Key.Evaluate(context)), e => e.Value.Evaluate(context));
}

internal sealed record Conditional(Expr Condition, Expr Then, Expr Else) : Expr
{
    public override object? Evaluate(RenderContext context) =>
        Values.IsTrue(Condition.Evaluate(context)) ? Then.Evaluate(context) : Else.Evaluate(context);
}

internal sealed record Logical(string Op, Expr Left, Expr Right) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var left = Left.Evaluate(context);
        return Op == "and"
            ? (Values.IsTrue(left) ? Right.Evaluate(context) : left)
            : (Values.IsTrue(left) ? left : Right.Evaluate(context));
    }
}

internal sealed record Not(Expr Operand) : Expr
{
    public override object? Evaluate(RenderContext context) => !Values.IsTrue(Operand.Evaluate(context));
}

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
            case "in":
                return b switch
                {
                    string s => s.Contains(Values.ToText(a), StringComparison.Ordinal),
                    List<object?> list => list.Any(x => Values.AreEqual(x, a)),
                    Dictionary<string, object?> d => a is string key && d.ContainsKey(key),
                    _ => false,
                };
            case "+" when a is string || b is string:
                if (a is not string || b is not string)
                {
                    throw new ChatTemplateException($"cannot add {Values.TypeName(a)} and {Values.TypeName(b)}");
                }
                return (string)a + (string)b;
            case "+" when a is List<object?> la && b is List<object?> lb:
                return la.Concat(lb).ToList();
        }
        if (Op is "<" or ">" or "<=" or ">=")
        {
            var c = a is string sa && b is string sb ? string.CompareOrdinal(sa, sb) : Values.ToNumber(a).CompareTo(Values.ToNumber(b));
            return Op switch { "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 };
        }
        if (a is long x && b is long y && Op != "/")
        {
            return Op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "//" => y == 0 ? throw new ChatTemplateException("division by zero") : (long)Math.Floor((double)x / y),
                "%" => y == 0 ? throw new ChatTemplateException("division by zero") : ((x % y) + y) % y,
                _ => throw new ChatTemplateException($"unsupported operator '{Op}'"),
            };
        }
        var (p, q) = (Values.ToNumber(a), Values.ToNumber(b));
        return Op switch
        {
            "+" => p + q,
            "-" => p - q,
            "*" => p * q,
            "/" => p / q,
            "//" => Math.Floor(p / q),
            "%" => p % q,
            _ => throw new ChatTemplateException($"unsupported operator '{Op}'"),
        };
    }
}

internal sealed record Index(Expr Target, Expr Key) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var target = Target.Evaluate(context);
        var key = Key.Evaluate(context);
        switch (target)
        {
            case Dictionary<string, object?> d when key is string k:
                return d.TryGetValue(k, out var v) ? v : Undefined.Value;
            case List<object?> list when key is long i:
                var at = i < 0 ? list.Count + i : i;
                return at >= 0 && at < list.Count ? list[(int)at] : Undefined.Value;
            case string s when key is long i:
                var pos = i < 0 ? s.Length + i : i;
                return pos >= 0 && pos < s.Length ? s[(int)pos].ToString() : Undefined.Value;
            case string when key is string method && Builtins.IsStringMethod(method):
                return new BoundMethod(target, method);
            default:
                return Undefined.Value;
        }
    }
}

internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var target = Target.Evaluate(context);
        var count = target switch
        {
            List<object?> l => l.Count,
            string s => s.Length,
            _ => throw new ChatTemplateException($"cannot slice {Values.TypeName(target)}"),
        };
        int Resolve(Expr? e, int fallback)
        {
            if (e is null) return fallback;
            var n = (int)Values.ToNumber(e.Evaluate(context));
            return Math.Clamp(n < 0 ? count + n : n, 0, count);
        }
        var start = Resolve(Start, 0);
        var stop = Math.Max(start, Resolve(Stop, count));
        return target is string str ? str[start..stop] : ((List<object?>)target!).GetRange(start, stop - start);
    }
}

/// <summary>A call: a global function by name, or a method of a string (<c>message.content.strip()</c>).</summary>
internal sealed record Call(Expr Function, List<Expr> Args, Dictionary<string, Expr> Kwargs) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var args = Args.Select(a => a.Evaluate(context)).ToList();
        if (Function is Variable v)
        {
            return Builtins.CallFunction(v.Name, args, Kwargs, context);
        }
        if (Function.Evaluate(context) is not BoundMethod m)
        {
            throw new ChatTemplateException("only functions and string methods can be called");
        }
        return Builtins.CallMethod(m, args);
    }
}

/// <summary><c>value | name(args)</c>.</summary>
internal sealed record FilterExpr(string Name, Expr Operand, List<Expr> Args) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var value = Operand.Evaluate(context);
        var args = Args.Select(a => a.Evaluate(context)).ToList();
        return Filters.Apply(Name, value, args);
    }
}

/// <summary><c>value is name</c>.</summary>
internal sealed record TestExpr(string Name, Expr Operand) : Expr
{
    public override object? Evaluate(RenderContext context) => IsTests.Apply(Name, Operand.Evaluate(context));
}
