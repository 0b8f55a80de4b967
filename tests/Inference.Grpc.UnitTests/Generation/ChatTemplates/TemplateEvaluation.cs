using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

/// <summary>Runs one piece of the template engine the way a render does, for tests of that piece alone.</summary>
internal static class TemplateEvaluation
{
    /// <summary>The value of one expression, as inside {{ }}, with the given variables in scope.</summary>
    public static object? Evaluate(string expression, Dictionary<string, object?>? variables = null) =>
        ExpressionParser.Parse(expression).Evaluate(new RenderContext(variables ?? []));

    /// <summary>The text of a whole template, with the given variables in scope (no messages).</summary>
    public static string Render(string template, Dictionary<string, object?>? variables = null)
    {
        var context = new RenderContext(variables ?? []);
        foreach (var node in TemplateParser.Parse(template))
        {
            node.Render(context);
        }
        return context.Output.ToString();
    }

    public static string Refusal(Action action) => Assert.ThrowsAny<ChatTemplateException>(action).Message;
}
