namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>A statement of the template: it writes to the render's output or changes its scopes.</summary>
internal abstract record Node
{
    public abstract void Render(RenderContext context);

    protected static void RenderAll(List<Node> nodes, RenderContext context)
    {
        foreach (var node in nodes) node.Render(context);
    }
}

internal sealed record TextNode(string Text) : Node
{
    public override void Render(RenderContext context) => context.Write(Text);
}

internal sealed record OutputNode(Expr Value) : Node
{
    public override void Render(RenderContext context) => context.Write(Values.ToText(Value.Evaluate(context)));
}

internal sealed record IfNode(List<(Expr Condition, List<Node> Body)> Branches, List<Node>? Otherwise) : Node
{
    public override void Render(RenderContext context)
    {
        foreach (var (condition, body) in Branches)
        {
            if (Values.IsTrue(condition.Evaluate(context)))
            {
                RenderAll(body, context);
                return;
            }
        }
        if (Otherwise is not null) RenderAll(Otherwise, context);
    }
}

internal sealed record ForNode(List<string> Names, Expr Iterable, Expr? Filter, List<Node> Body, List<Node>? Otherwise) : Node
{
    public override void Render(RenderContext context)
    {
        var source = Iterable.Evaluate(context) switch
        {
            List<object?> list => list,
            Dictionary<string, object?> dict => dict.Keys.Select(k => (object?)k).ToList(),
            string s => s.Select(c => (object?)c.ToString()).ToList(),
            null or Undefined => [],
            var other => throw new ChatTemplateException($"cannot loop over {Values.TypeName(other)}"),
        };
        var scope = new Dictionary<string, object?>();
        context.Scopes.Add(scope);
        try
        {
            var items = new List<object?>();
            foreach (var item in source)
            {
                Bind(scope, item);
                if (Filter is null || Values.IsTrue(Filter.Evaluate(context))) items.Add(item);
            }
            for (var i = 0; i < items.Count; i++)
            {
                context.CountIteration();
                Bind(scope, items[i]);
                scope["loop"] = new Dictionary<string, object?>
                {
                    ["index"] = (long)i + 1,
                    ["index0"] = (long)i,
                    ["revindex"] = (long)(items.Count - i),
                    ["revindex0"] = (long)(items.Count - i - 1),
                    ["first"] = i == 0,
                    ["last"] = i == items.Count - 1,
                    ["length"] = (long)items.Count,
                    ["previtem"] = i > 0 ? items[i - 1] : Undefined.Value,
                    ["nextitem"] = i + 1 < items.Count ? items[i + 1] : Undefined.Value,
                };
                RenderAll(Body, context);
            }
            if (items.Count == 0 && Otherwise is not null) RenderAll(Otherwise, context);
        }
        finally
        {
            context.Scopes.RemoveAt(context.Scopes.Count - 1);
        }
    }

    private void Bind(Dictionary<string, object?> scope, object? item)
    {
        if (Names.Count == 1)
        {
            scope[Names[0]] = item;
            return;
        }
        if (item is not List<object?> parts || parts.Count != Names.Count)
        {
            throw new ChatTemplateException($"cannot unpack {Values.TypeName(item)} into {Names.Count} names");
        }
        for (var i = 0; i < Names.Count; i++) scope[Names[i]] = parts[i];
    }
}

internal sealed record SetNode(string Name, string? Attribute, Expr Value) : Node
{
    public override void Render(RenderContext context)
    {
        var value = Value.Evaluate(context);
        if (Attribute is null)
        {
            context.Scopes[^1][Name] = value;
            return;
        }
        if (context.Lookup(Name) is not Namespace ns)
        {
            throw new ChatTemplateException($"'{Name}' is not a namespace(): cannot set '{Name}.{Attribute}'");
        }
        ns[Attribute] = value;
    }
}
