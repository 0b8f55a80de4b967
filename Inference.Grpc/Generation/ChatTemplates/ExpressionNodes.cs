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

/// <summary>A list or tuple literal (both are lists here; templates only read them).</summary>
internal sealed record ListExpr(List<Expr> Items) : Expr
{
    public override object? Evaluate(RenderContext context) => Items.Select(i => i.Evaluate(context)).ToList();
}

internal sealed record DictExpr(List<(Expr Key, Expr Value)> Entries) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var dict = new Dictionary<string, object?>();
        foreach (var (key, value) in Entries) dict[Values.ToText(key.Evaluate(context))] = value.Evaluate(context);
        return dict;
    }
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

/// <summary><c>value.name</c>: Jinja's getattr, a method of the value first (dict.items, str.strip), then its item.</summary>
internal sealed record Attribute(Expr Target, object? Name) : Expr
{
    public override object? Evaluate(RenderContext context) => Lookup(Target.Evaluate(context), Name, Target);

    public static object? Lookup(object? target, object? name, Expr source)
    {
        if (target is Undefined) throw Undefinedness.Error(source, name);
        if (name is string method && target is not Namespace && Methods.Has(target, method)) return new BoundMethod(target, method);
        return Index.Item(target, name);
    }
}

/// <summary><c>value[key]</c>: Jinja's getitem, the item first, then a method of that name.</summary>
internal sealed record Index(Expr Target, Expr Key) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var target = Target.Evaluate(context);
        var key = Key.Evaluate(context);
        if (target is Undefined) throw Undefinedness.Error(Target, key);
        var item = Item(target, key);
        if (item is Undefined && key is string method && target is not Namespace && Methods.Has(target, method)) return new BoundMethod(target, method);
        return item;
    }

    public static object? Item(object? target, object? key)
    {
        switch (target)
        {
            case Dictionary<string, object?> d when key is string k:
                return d.TryGetValue(k, out var v) ? v : Undefined.Value;
            case List<object?> list when key is long or bool:
                var i = (long)Values.ToNumber(key);
                var at = i < 0 ? list.Count + i : i;
                return at >= 0 && at < list.Count ? list[(int)at] : Undefined.Value;
            case string s when key is long or bool:
                var chars = Values.TextElements(s);
                var n = (long)Values.ToNumber(key);
                var pos = n < 0 ? chars.Count + n : n;
                return pos >= 0 && pos < chars.Count ? chars[(int)pos] : Undefined.Value;
            default:
                return Undefined.Value;
        }
    }
}

/// <summary><c>value[start:stop:step]</c> with Python's rules (negative indices and steps, bounds clamped).</summary>
internal sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var target = Target.Evaluate(context);
        if (target is Undefined) throw Undefinedness.Error(Target, "slice");
        var items = target switch
        {
            List<object?> l => l,
            string s => Values.TextElements(s),
            _ => throw new ChatTemplateException($"cannot slice {Values.TypeName(target)}"),
        };
        long? Read(Expr? e) => e?.Evaluate(context) switch
        {
            null => null,
            var v => (long)Values.ToNumber(v),
        };
        var step = Read(Step) ?? 1;
        if (step == 0) throw new ChatTemplateException("slice step cannot be zero");
        var count = (long)items.Count;
        long Clamp(long? value, long whenMissing)
        {
            if (value is not { } v) return whenMissing;
            if (v < 0) v += count;
            return step > 0 ? Math.Clamp(v, 0, count) : Math.Clamp(v, -1, count - 1);
        }
        var start = Clamp(Read(Start), step > 0 ? 0 : count - 1);
        var stop = Clamp(Read(Stop), step > 0 ? count : -1);
        var result = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step) result.Add(items[(int)i]);
        return target is string ? string.Concat(result.Cast<string>()) : result;
    }
}

/// <summary>A call: a global function, a macro, or a method of a value (<c>message.content.strip()</c>).</summary>
internal sealed record Call(Expr Function, List<Expr> Args, Dictionary<string, Expr> Kwargs) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var callee = Function.Evaluate(context);
        var args = Args.Select(a => a.Evaluate(context)).ToList();
        var kwargs = Kwargs.ToDictionary(k => k.Key, k => k.Value.Evaluate(context));
        return callee switch
        {
            GlobalFunction f => Builtins.Call(f.Name, args, kwargs, context),
            Macro m => m.Invoke(args, kwargs, context),
            BoundMethod b => Methods.Call(b, args, kwargs),
            Undefined => throw Undefinedness.Error(Function, null),
            _ => throw new ChatTemplateException($"{Values.TypeName(callee)} is not callable"),
        };
    }
}

/// <summary><c>value | name(args)</c>.</summary>
internal sealed record FilterExpr(string Name, Expr Operand, List<Expr> Args, Dictionary<string, Expr> Kwargs) : Expr
{
    public override object? Evaluate(RenderContext context)
    {
        var value = Operand.Evaluate(context);
        var args = Args.Select(a => a.Evaluate(context)).ToList();
        var kwargs = Kwargs.ToDictionary(k => k.Key, k => k.Value.Evaluate(context));
        return Filters.Apply(Name, value, args, kwargs, context);
    }
}

/// <summary><c>value is name(args)</c>.</summary>
internal sealed record TestExpr(string Name, Expr Operand, List<Expr> Args) : Expr
{
    public override object? Evaluate(RenderContext context) =>
        IsTests.Apply(Name, Operand.Evaluate(context), Args.Select(a => a.Evaluate(context)).ToList());
}

/// <summary>The error Jinja raises when an undefined value is used further than printed or tested.</summary>
internal static class Undefinedness
{
    public static ChatTemplateException Error(Expr source, object? key)
    {
        var what = source switch
        {
            Variable v => $"'{v.Name}'",
            Attribute { Name: var n } => $"attribute '{n}'",
            _ => "a value",
        };
        var use = key is null ? "called" : $"read with '{Values.ToText(key)}'";
        return new ChatTemplateException($"{what} is undefined and cannot be {use}");
    }
}
