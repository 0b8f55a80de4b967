using MlStack.Inference.Generation.ChatTemplates;
using static MlStack.Inference.UnitTests.Generation.ChatTemplates.TemplateEvaluation;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

// The parser and the expression nodes together: each case is parsed and evaluated as Jinja (Python) would.
public sealed class ExpressionParserTests
{
    [Theory]
    [InlineData("1 + 2 * 3", 7L)]
    [InlineData("(1 + 2) * 3", 9L)]
    [InlineData("-2 + 5", 3L)]
    [InlineData("10 - 2 - 3", 5L)]
    [InlineData("7 // 2", 3L)]
    [InlineData("-7 // 2", -4L)]
    [InlineData("7 % 3", 1L)]
    [InlineData("-7 % 3", 2L)]
    [InlineData("7 / 2", 3.5)]
    [InlineData("1.5 * 2", 3.0)]
    public void Arithmetic_follows_python_precedence_and_rounding(string expression, object expected) =>
        Assert.Equal(expected, Evaluate(expression));

    [Theory]
    [InlineData("1 < 2 and not 3 > 4", true)]
    [InlineData("not 1 == 1 or 2 >= 2", true)]
    [InlineData("'b' in 'abc'", true)]
    [InlineData("'x' not in ['x', 'y']", false)]
    [InlineData("'k' in {'k': 1}", true)]
    [InlineData("'a' < 'b'", true)]
    [InlineData("1 == 1.0", true)]
    public void Comparisons_membership_and_logic(string expression, bool expected) =>
        Assert.Equal(expected, Evaluate(expression));

    [Theory]
    [InlineData("'' or 'fallback'", "fallback")]
    [InlineData("'a' and 'b'", "b")]
    [InlineData("'yes' if 1 else 'no'", "yes")]
    [InlineData("'yes' if 0 else 'no' if 1 else 'never'", "no")]
    [InlineData("1 ~ 'a' ~ none", "1aNone")]
    [InlineData("'a' 'b' \"c\"", "abc")]
    [InlineData("'hello'[1:3]", "el")]
    [InlineData("'hello'[:-3]", "he")]
    [InlineData("'abc'[-1]", "c")]
    [InlineData("{'k': 'v'}['k']", "v")]
    [InlineData("{'k': 'v'}.k", "v")]
    [InlineData("namespace(a=1, b='x').b", "x")]
    public void Operands_literals_and_postfixes_evaluate_as_in_python(string expression, string expected) =>
        Assert.Equal(expected, Evaluate(expression));

    [Fact]
    public void Or_and_and_return_an_operand_and_an_inline_if_without_else_is_undefined()
    {
        Assert.Equal(0L, Evaluate("0 and 1"));
        Assert.IsType<Undefined>(Evaluate("'yes' if 0"));
        Assert.IsType<Undefined>(Evaluate("missing"));
        Assert.IsType<Undefined>(Evaluate("[1][5]"));
    }

    [Fact]
    public void List_and_mapping_literals_and_slices_build_template_values()
    {
        Assert.Equal(new List<object?> { 1L, "a", null, true, false }, Evaluate("[1, 'a', none, True, false]"));
        Assert.Equal(new List<object?> { 2L, 3L }, Evaluate("[1, 2, 3][-2:]"));
        Assert.Equal(new List<object?> { 1L, 2L, 3L, 4L }, Evaluate("[1, 2] + [3, 4]"));
        var mapping = Assert.IsType<Dictionary<string, object?>>(Evaluate("{'a': 1, 2: [x]}", new() { ["x"] = "v" }));
        Assert.Equal(1L, mapping["a"]);
        Assert.Equal(new List<object?> { "v" }, mapping["2"]);
    }

    [Theory]
    [InlineData("1 2", "unexpected '2'")]
    [InlineData("a +", "unexpected 'end of tag' in an expression")]
    [InlineData("(1", "expected ')' but found 'end of tag'")]
    [InlineData("x is", "expected a name but found 'end of tag'")]
    [InlineData("1 + 'a'", "unsupported operand types for +: a number and a string")]
    [InlineData("1 // 0", "division by zero")]
    [InlineData("'a' * 'b'", "unsupported operand types for *: a string and a string")]
    [InlineData("5[1:]", "cannot slice a number")]
    public void Malformed_or_ill_typed_expressions_are_refused(string expression, string message) =>
        Assert.Equal(message, Refusal(() => Evaluate(expression)));
}
