using MlStack.Inference.Generation.ChatTemplates;
using static MlStack.Inference.UnitTests.Generation.ChatTemplates.TemplateEvaluation;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class FiltersTests
{
    [Theory]
    [InlineData("'  x  ' | trim", "x")]
    [InlineData("'Ab' | upper", "AB")]
    [InlineData("'Ab' | lower", "ab")]
    [InlineData("true | string", "True")]
    [InlineData("none | string", "None")]
    [InlineData("missing | default('d')", "d")]
    [InlineData("'' | default('d')", "")]
    [InlineData("'' | default('d', true)", "d")]
    [InlineData("'set' | d('d')", "set")]
    [InlineData("['a', 'b'] | join(', ')", "a, b")]
    [InlineData("['a', 1] | join", "a1")]
    [InlineData("{'a': [1, none, true, 'é']} | tojson", "{\"a\": [1, null, true, \"é\"]}")]
    public void Text_filters(string expression, string expected) =>
        Assert.Equal(expected, Evaluate(expression));

    [Theory]
    [InlineData("'abc' | length", 3L)]
    [InlineData("[1, 2] | count", 2L)]
    [InlineData("{'a': 1} | length", 1L)]
    [InlineData("undefined_name | length", 0L)]
    [InlineData("[4, 5, 6] | first", 4L)]
    [InlineData("[4, 5, 6] | last", 6L)]
    public void Size_and_element_filters(string expression, long expected) =>
        Assert.Equal(expected, Evaluate(expression));

    [Fact]
    public void The_first_of_nothing_is_undefined_and_list_splits_a_string()
    {
        Assert.IsType<Undefined>(Evaluate("[] | first"));
        Assert.Equal(new List<object?> { "a", "b" }, Evaluate("'ab' | list"));
        Assert.Equal("5 | list: a number is not iterable", "5 | list: " + Refusal(() => Evaluate("5 | list")));
    }

    [Fact]
    public void An_unknown_filter_is_refused_by_name() =>
        Assert.Equal("unsupported filter 'xmlattr'", Refusal(() => Evaluate("'a b' | xmlattr")));
}
