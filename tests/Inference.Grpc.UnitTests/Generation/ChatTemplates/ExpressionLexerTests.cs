using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class ExpressionLexerTests
{
    [Fact]
    public void Names_numbers_strings_and_operators_are_told_apart()
    {
        var tokens = ExpressionLexer.Tokenize("message.role + 12 * 1.5 // 2 ~ 'x\\n'");

        Assert.Equal(
            [TokenKind.Name, TokenKind.Operator, TokenKind.Name, TokenKind.Operator, TokenKind.Number, TokenKind.Operator,
             TokenKind.Number, TokenKind.Operator, TokenKind.Number, TokenKind.Operator, TokenKind.String, TokenKind.End],
            tokens.Select(t => t.Kind));
        Assert.Equal(["message", ".", "role", "+", "12", "*", "1.5", "//", "2", "~", "x\n", ""], tokens.Select(t => t.Text));
        Assert.Equal(12L, tokens[4].Value);
        Assert.Equal(1.5, tokens[6].Value);
        Assert.Equal("x\n", tokens[10].Value);
    }

    [Fact]
    public void Two_character_operators_are_one_token() =>
        Assert.Equal(["==", "!=", "<=", ">=", "<", ">", "="], ExpressionLexer.Tokenize("== != <= >= < > =").SkipLast(1).Select(t => t.Text));

    [Theory]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("\"a\\tb\\r\"", "a\tb\r")]
    [InlineData("'say \"hi\"'", "say \"hi\"")]
    public void String_literals_take_either_quote_and_backslash_escapes(string source, string value) =>
        Assert.Equal(value, ExpressionLexer.Tokenize(source)[0].Value);

    [Theory]
    [InlineData("'open", "unterminated string literal")]
    [InlineData("a @ b", "unexpected character '@'")]
    public void Text_that_is_no_token_is_refused(string source, string message) =>
        Assert.Equal(message, TemplateEvaluation.Refusal(() => ExpressionLexer.Tokenize(source)));
}
