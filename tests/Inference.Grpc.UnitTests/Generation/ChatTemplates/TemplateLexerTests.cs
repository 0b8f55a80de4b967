using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

public sealed class TemplateLexerTests
{
    private static Piece Text(string content) => new(PieceKind.Text, content, 0);
    private static Piece Output(string content) => new(PieceKind.Output, content, 0);
    private static Piece Statement(string content) => new(PieceKind.Statement, content, 0);

    /// <summary>The pieces without their offsets, tag contents trimmed (the parser reads them token by token).</summary>
    private static List<Piece> Split(string source) =>
        TemplateLexer.Split(source).Select(p => p with { Offset = 0, Content = p.Kind == PieceKind.Text ? p.Content : p.Content.Trim() }).ToList();

    [Fact]
    public void Text_output_and_statements_become_pieces_with_the_tag_content_trimmed() =>
        Assert.Equal([Text("a"), Output("x"), Text("b"), Statement("if y"), Text("c")], Split("a{{ x }}b{%  if y  %}c"));

    [Fact]
    public void Comments_leave_no_piece() =>
        Assert.Equal([Text("a"), Text("b")], Split("a{# a note #}b"));

    [Fact]
    public void Minus_markers_strip_the_whitespace_on_their_side() =>
        Assert.Equal([Text("a"), Output("x"), Text("b")], Split("a \n {{- x -}} \n b"));

    [Fact]
    public void Trim_blocks_drops_the_newline_after_a_block_tag_but_not_after_an_output() =>
        Assert.Equal([Statement("if x"), Text("A"), Output("y"), Text("\nB")], Split("{% if x %}\nA{{ y }}\nB"));

    [Theory]
    [InlineData("A\n    {% if x %}B", "A\n")]
    [InlineData("    {% if x %}B", "")]
    [InlineData("A  {% if x %}B", "A  ")]
    [InlineData("A\n  {%+ if x %}B", "A\n  ")]
    public void Lstrip_blocks_removes_only_the_indentation_of_a_block_tag_on_its_own_line(string source, string before)
    {
        var pieces = Split(source);

        Assert.Equal(before.Length == 0 ? [Statement("if x"), Text("B")] : [Text(before), Statement("if x"), Text("B")], pieces);
    }

    [Theory]
    [InlineData("{{ '}}' }}", "'}}'")]
    [InlineData("{{ \"%}\" }}", "\"%}\"")]
    [InlineData("{{ 'it\\'s }}' }}", "'it\\'s }}'")]
    public void A_closing_marker_inside_a_string_literal_does_not_end_the_tag(string source, string content) =>
        Assert.Equal([Output(content)], Split(source));

    [Theory]
    [InlineData("ab{{ x", "unclosed '{{' at line 1, column 3")]
    [InlineData("{% if x", "unclosed '{%' at line 1, column 1")]
    [InlineData("a{# note", "unclosed '{#' at line 1, column 2")]
    public void An_unclosed_tag_is_refused_with_its_position(string source, string message) =>
        Assert.Contains(message, TemplateEvaluation.Refusal(() => Split(source)));
}
