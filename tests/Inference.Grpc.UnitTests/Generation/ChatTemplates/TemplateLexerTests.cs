using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class TemplateLexerTests
{
    private static Piece Text(string content) => new(PieceKind.Text, content);
    private static Piece Output(string content) => new(PieceKind.Output, content);
    private static Piece Statement(string content) => new(PieceKind.Statement, content);

    [Fact]
    public void Text_output_and_statements_become_pieces_with_the_tag_content_trimmed() =>
        Assert.Equal([Text("a"), Output("x"), Text("b"), Statement("if y"), Text("c")], TemplateLexer.Split("a{{ x }}b{%  if y  %}c"));

    [Fact]
    public void Comments_leave_no_piece() =>
        Assert.Equal([Text("a"), Text("b")], TemplateLexer.Split("a{# a note #}b"));

    [Fact]
    public void Minus_markers_strip_the_whitespace_on_their_side() =>
        Assert.Equal([Text("a"), Output("x"), Text("b")], TemplateLexer.Split("a \n {{- x -}} \n b"));

    [Fact]
    public void Trim_blocks_drops_the_newline_after_a_block_tag_but_not_after_an_output() =>
        Assert.Equal([Statement("if x"), Text("A"), Output("y"), Text("\nB")], TemplateLexer.Split("{% if x %}\nA{{ y }}\nB"));

    [Theory]
    [InlineData("A\n    {% if x %}B", "A\n")]
    [InlineData("    {% if x %}B", "")]
    [InlineData("A  {% if x %}B", "A  ")]
    [InlineData("A\n  {%+ if x %}B", "A\n  ")]
    public void Lstrip_blocks_removes_only_the_indentation_of_a_block_tag_on_its_own_line(string source, string before)
    {
        var pieces = TemplateLexer.Split(source);

        Assert.Equal(before.Length == 0 ? [Statement("if x"), Text("B")] : [Text(before), Statement("if x"), Text("B")], pieces);
    }

    [Theory]
    [InlineData("{{ '}}' }}", "'}}'")]
    [InlineData("{{ \"%}\" }}", "\"%}\"")]
    [InlineData("{{ 'it\\'s }}' }}", "'it\\'s }}'")]
    public void A_closing_marker_inside_a_string_literal_does_not_end_the_tag(string source, string content) =>
        Assert.Equal([Output(content)], TemplateLexer.Split(source));

    [Theory]
    [InlineData("ab{{ x", "unclosed '{{' at character 2")]
    [InlineData("{% if x", "unclosed '{%' at character 0")]
    [InlineData("a{# note", "unclosed '{#' at character 1")]
    public void An_unclosed_tag_is_refused_with_its_position(string source, string message) =>
        Assert.Contains(message, TemplateEvaluation.Refusal(() => TemplateLexer.Split(source)));
}
