using MlStack.Inference.Generation.ChatTemplates;
using static MlStack.Inference.UnitTests.Generation.ChatTemplates.TemplateEvaluation;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class RenderContextTests
{
    [Fact]
    public void Inner_scopes_shadow_outer_ones_and_a_missing_name_is_undefined()
    {
        var context = new RenderContext(new() { ["x"] = "global" });
        context.Scopes.Add(new() { ["x"] = "loop" });

        Assert.Equal("loop", context.Lookup("x"));
        Assert.IsType<Undefined>(context.Lookup("y"));
    }

    [Fact]
    public void Output_beyond_the_bound_is_refused()
    {
        var context = new RenderContext([]);
        context.Write(new string('a', RenderContext.MaxOutputChars));

        Assert.Equal($"the rendered prompt exceeds {RenderContext.MaxOutputChars} characters", Refusal(() => context.Write("a")));
        Assert.Equal(RenderContext.MaxOutputChars, context.Output.Length);
    }

    [Fact]
    public void Loop_iterations_of_one_render_are_bounded_together()
    {
        var context = new RenderContext([]);
        for (var i = 0; i < RenderContext.MaxIterations; i++)
        {
            context.CountIteration();
        }

        Assert.Equal($"the template ran more than {RenderContext.MaxIterations} loop iterations", Refusal(context.CountIteration));
    }

    [Fact]
    public void Nested_loops_count_against_the_same_bound() =>
        Assert.Contains("loop iterations", Refusal(() => Render("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}")));
}
