namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>A statement of the template: it writes to the render's output or changes its scopes.</summary>
internal abstract record Node
{
    public abstract void Render(RenderContext context);

    /// <summary>Renders nodes in order, stopping where a {% break %} or {% continue %} was reached.</summary>
    public static void RenderAll(List<Node> nodes, RenderContext context)
    {
        foreach (var node in nodes)
        {
            node.Render(context);
            if (context.Signal != LoopSignal.None) return;
        }
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

/// <summary>{% break %} and {% continue %} (Jinja's loopcontrols extension, which transformers enables).</summary>
internal sealed record LoopControlNode(LoopSignal Signal) : Node
{
    public override void Render(RenderContext context) => context.Signal = Signal;
}

internal sealed record ForNode(List<string> Names, Expr Iterable, Expr? Filter, List<Node> Body, List<Node>? Otherwise) : Node
{
    public override void Render(RenderContext context)
    {
        var source = Values.Iterate(Iterable.Evaluate(context));
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
                    ["depth"] = 1L,
                    ["depth0"] = 0L,
                    ["previtem"] = i > 0 ? items[i - 1] : Undefined.Value,
                    ["nextitem"] = i + 1 < items.Count ? items[i + 1] : Undefined.Value,
                };
                RenderAll(Body, context);
                var signal = context.Signal;
                context.Signal = LoopSignal.None;
                if (signal == LoopSignal.Break) break;
            }
            if (items.Count == 0 && Otherwise is not null) RenderAll(Otherwise, context);
        }
        finally
        {
            context.Scopes.Remove(scope);
        }
    }

    private void Bind(Dictionary<string, object?> scope, object? item)
    {
        if (Names.Count == 1)
        {
            scope[Names[0]] = item;
            return;
        }
        var parts = item is string s ? Values.TextElements(s) : item as List<object?>;
        if (parts is null || parts.Count != Names.Count)
        {
            throw new ChatTemplateException($"cannot unpack {Values.TypeName(item)} into {Names.Count} names");
        }
        for (var i = 0; i < Names.Count; i++) scope[Names[i]] = parts[i];
    }
}

/// <summary>{% set name = value %}, {% set a, b = pair %} and {% set ns.attribute = value %}.</summary>
internal sealed record SetNode(List<string> Names, string? Attribute, Expr Value) : Node
{
    public override void Render(RenderContext context) => Assign(context, Names, Attribute, Value.Evaluate(context));

    public static void Assign(RenderContext context, List<string> names, string? attribute, object? value)
    {
        if (attribute is not null)
        {
            if (context.Lookup(names[0]) is not Namespace ns)
            {
                throw new ChatTemplateException($"'{names[0]}' is not a namespace(): cannot set '{names[0]}.{attribute}'");
            }
            ns[attribute] = value;
            return;
        }
        if (names.Count == 1)
        {
            context.Scopes[^1][names[0]] = value;
            return;
        }
        if (value is not List<object?> parts || parts.Count != names.Count)
        {
            throw new ChatTemplateException($"cannot unpack {Values.TypeName(value)} into {names.Count} names");
        }
        for (var i = 0; i < names.Count; i++) context.Scopes[^1][names[i]] = parts[i];
    }
}

/// <summary>{% set name %}...{% endset %}: the body's text becomes the value.</summary>
internal sealed record SetBlockNode(string Name, string? Attribute, List<Node> Body) : Node
{
    public override void Render(RenderContext context)
    {
        var text = context.Capture(context.Scopes, () => RenderAll(Body, context));
        SetNode.Assign(context, [Name], Attribute, text);
    }
}

/// <summary>{% macro name(params) %}: defines the macro where it stands.</summary>
internal sealed record MacroNode(Macro Macro) : Node
{
    public override void Render(RenderContext context) => context.Scopes[^1][Macro.Name] = Macro;
}

/// <summary>
/// {% generation %}...{% endgeneration %}, transformers' tag around the assistant's text (it marks the tokens for
/// return_assistant_tokens_mask); a render for generation prints the body as it is.
/// </summary>
internal sealed record GenerationNode(List<Node> Body) : Node
{
    public override void Render(RenderContext context) => RenderAll(Body, context);
}
