using static MlStack.Inference.UnitTests.Generation.ChatTemplates.TemplateEvaluation;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class IsTestsTests
{
    private static readonly Dictionary<string, object?> Variables = new()
    {
        ["text"] = "x",
        ["number"] = 1L,
        ["real"] = 1.5,
        ["flag"] = true,
        ["nothing"] = null,
        ["items"] = new List<object?> { 1L },
        ["mapping"] = new Dictionary<string, object?>(),
    };

    [Theory]
    [InlineData("text is defined", true)]
    [InlineData("missing is defined", false)]
    [InlineData("missing is undefined", true)]
    [InlineData("nothing is none", true)]
    [InlineData("nothing is defined", true)]
    [InlineData("text is string", true)]
    [InlineData("number is number", true)]
    [InlineData("real is number", true)]
    [InlineData("text is number", false)]
    [InlineData("flag is boolean", true)]
    [InlineData("mapping is mapping", true)]
    [InlineData("items is mapping", false)]
    [InlineData("items is sequence", true)]
    [InlineData("text is iterable", true)]
    [InlineData("flag is true", true)]
    [InlineData("number is true", false)]
    [InlineData("flag is false", false)]
    [InlineData("text is not string", false)]
    [InlineData("missing is not defined", true)]
    public void Each_test_checks_the_kind_of_value(string expression, bool expected) =>
        Assert.Equal(expected, Evaluate(expression, Variables));

    [Fact]
    public void An_unknown_test_is_refused_by_name() =>
        Assert.Equal("unsupported test 'is escaped'", Refusal(() => Evaluate("number is escaped", Variables)));
}
