using static MlStack.Inference.UnitTests.Generation.ChatTemplates.TemplateEvaluation;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class BuiltinsTests
{
    [Fact]
    public void Range_counts_like_python_and_is_bounded()
    {
        Assert.Equal(new List<object?> { 0L, 1L, 2L }, Evaluate("range(3)"));
        Assert.Equal(new List<object?> { 2L, 3L }, Evaluate("range(2, 4)"));
        Assert.Equal(new List<object?>(), Evaluate("range(4, 2)"));
        Assert.Equal("range() is too long", Refusal(() => Evaluate("range(0, 2000000)")));
    }

    [Theory]
    [InlineData("'  a  '.strip()", "a")]
    [InlineData("'xxaxx'.strip('x')", "a")]
    [InlineData("'  a  '.lstrip()", "a  ")]
    [InlineData("'xxa'.lstrip('x')", "a")]
    [InlineData("'  a  '.rstrip()", "  a")]
    [InlineData("'axx'.rstrip('x')", "a")]
    [InlineData("'Ab'.upper()", "AB")]
    [InlineData("'Ab'.lower()", "ab")]
    [InlineData("'a-b-c'.replace('-', '+')", "a+b+c")]
    [InlineData("'<think>x'.startswith('<think>')", "True")]
    [InlineData("'x</think>'.endswith('<think>')", "False")]
    [InlineData("'a,b'.split(',') | join('|')", "a|b")]
    [InlineData("' a  b '.split() | join('|')", "a|b")]
    public void String_methods_behave_as_in_python(string expression, string expected) =>
        Assert.Equal(expected, Render("{{ " + expression + " }}"));

    [Fact]
    public void Raise_exception_refuses_with_the_templates_own_words() =>
        Assert.Equal("no tools here", Refusal(() => Evaluate("raise_exception('no tools here')")));

    [Theory]
    [InlineData("open('x')", "'open' is undefined and cannot be called")]
    [InlineData("mapping.pop('a')", "attribute 'pop' is undefined and cannot be called")]
    [InlineData("'a'.format()", "attribute 'format' is undefined and cannot be called")]
    [InlineData("items.__len__()", "attribute '__len__' is undefined and cannot be called")]
    [InlineData("items.append(1)", "attribute 'append' is undefined and cannot be called")]
    public void Nothing_else_is_callable(string expression, string message) =>
        Assert.Equal(message, Refusal(() => Evaluate(expression, new()
        {
            ["mapping"] = new Dictionary<string, object?>(),
            ["items"] = new List<object?>(),
        })));
}
