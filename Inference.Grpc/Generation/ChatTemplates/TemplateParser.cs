namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// Turns the pieces of a template into statement nodes: text, output, if/elif/else, for (with a filter and an else
/// branch), break and continue, set (expression or block), macro, and transformers' generation tag; expressions inside
/// tags go to <see cref="ExpressionParser"/>. Anything else is refused with its line and column, when the template loads.
/// </summary>
internal sealed class TemplateParser
{
    private readonly string _source;
    private readonly List<Piece> _pieces;
    private int _index;

    /// <summary>The whole (normalized) template as nodes; a stray end or else tag is refused.</summary>
    public static List<Node> Parse(string source)
    {
        source = TemplateLexer.Normalize(source);
        List<Piece> pieces;
        try
        {
            pieces = TemplateLexer.Split(source);
        }
        catch (ChatTemplateException error) when (error is not ChatTemplateSyntaxException)
        {
            throw new ChatTemplateSyntaxException(error.Message);
        }
        var parser = new TemplateParser(source, pieces);
        var body = parser.ParseBody(out var end);
        if (end is not null)
        {
            throw parser.Fail($"unexpected '{{% {end.Content.Trim()} %}}'", end.Offset);
        }
        return body;
    }

    private TemplateParser(string source, List<Piece> pieces)
    {
        _source = source;
        _pieces = pieces;
    }

    private ChatTemplateSyntaxException Fail(string message, int offset) =>
        new($"{message} at {TemplateLexer.Location(_source, offset)}");

    /// <summary>Nodes up to an end/else tag, which is returned (null at the end of the template).</summary>
    private List<Node> ParseBody(out Piece? terminator, Piece? opening = null, params string[] terminators)
    {
        var nodes = new List<Node>();
        while (_index < _pieces.Count)
        {
            var piece = _pieces[_index++];
            switch (piece.Kind)
            {
                case PieceKind.Text:
                    nodes.Add(new TextNode(piece.Content));
                    break;
                case PieceKind.Output:
                    nodes.Add(new OutputNode(InTag(piece, p => { var e = p.ParseTuple(); p.ExpectEnd(); return e; })));
                    break;
                default:
                    var keyword = Keyword(piece);
                    if (terminators.Contains(keyword))
                    {
                        terminator = piece;
                        return nodes;
                    }
                    nodes.Add(ParseStatement(keyword, piece));
                    break;
            }
        }
        terminator = null;
        if (terminators.Length > 0)
        {
            throw Fail($"'{{% {Keyword(opening!)} %}}' is never closed: missing '{{% {terminators[^1]} %}}'", opening!.Offset);
        }
        return nodes;
    }

    private static string Keyword(Piece piece) =>
        piece.Content.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";

    /// <summary>Parses a tag's content (after its keyword), turning an error at a token into a line and column.</summary>
    private T InTag<T>(Piece piece, Func<ExpressionParser, T> parse, string keyword = "")
    {
        var start = keyword.Length == 0 ? 0 : piece.Content.IndexOf(keyword, StringComparison.Ordinal) + keyword.Length;
        try
        {
            return parse(new ExpressionParser(ExpressionLexer.Tokenize(piece.Content[start..])));
        }
        catch (TagSyntaxException error)
        {
            throw Fail(error.Message, piece.Offset + start + error.Offset);
        }
    }

    private Node ParseStatement(string keyword, Piece piece)
    {
        switch (keyword)
        {
            case "if":
            {
                var branches = new List<(Expr, List<Node>)>();
                var condition = InTag(piece, Condition, "if");
                while (true)
                {
                    var body = ParseBody(out var end, piece, "elif", "else", "endif");
                    branches.Add((condition, body));
                    switch (Keyword(end!))
                    {
                        case "elif":
                            condition = InTag(end!, Condition, "elif");
                            continue;
                        case "else":
                            return new IfNode(branches, ParseBody(out _, piece, "endif"));
                        default:
                            return new IfNode(branches, null);
                    }
                }
            }
            case "for":
            {
                var (names, iterable, filter) = InTag(piece, p =>
                {
                    var parenthesized = p.Accept("(");
                    var list = new List<string>();
                    do list.Add(p.ExpectName()); while (p.Accept(","));
                    if (parenthesized) p.Expect(")");
                    p.ExpectKeyword("in");
                    var source = p.ParseTernary(allowIf: false);
                    var condition = p.AcceptKeyword("if") ? p.ParseTernary(allowIf: false) : null;
                    if (p.AcceptKeyword("recursive")) throw p.Error("recursive loops are not supported");
                    p.ExpectEnd();
                    return (list, source, condition);
                }, "for");
                var body = ParseBody(out var end, piece, "else", "endfor");
                var otherwise = Keyword(end!) == "else" ? ParseBody(out _, piece, "endfor") : null;
                return new ForNode(names, iterable, filter, body, otherwise);
            }
            case "set":
            {
                var (names, attribute, value) = InTag(piece, p =>
                {
                    var list = new List<string> { p.ExpectName() };
                    string? member = p.Accept(".") ? p.ExpectName() : null;
                    while (member is null && p.Accept(",")) list.Add(p.ExpectName());
                    if (p.AtEnd) return (list, member, (Expr?)null);
                    if (!p.Accept("=")) throw p.Error("expected '=' (a filtered {% set %} block is not supported)");
                    var expression = p.ParseTuple();
                    p.ExpectEnd();
                    return (list, member, expression);
                }, "set");
                if (value is not null) return new SetNode(names, attribute, value);
                if (names.Count != 1) throw Fail("a {% set %} block assigns one name", piece.Offset);
                return new SetBlockNode(names[0], attribute, ParseBody(out _, piece, "endset"));
            }
            case "macro":
            {
                var (name, parameters) = InTag(piece, p =>
                {
                    var macroName = p.ExpectName();
                    var list = new List<(string, Expr?)>();
                    p.Expect("(");
                    while (!p.Accept(")"))
                    {
                        var parameter = p.ExpectName();
                        list.Add((parameter, p.Accept("=") ? p.ParseTernary() : null));
                        if (!p.Accept(",")) { p.Expect(")"); break; }
                    }
                    p.ExpectEnd();
                    return (macroName, list);
                }, "macro");
                return new MacroNode(new Macro(name, parameters, ParseBody(out _, piece, "endmacro")));
            }
            case "break" or "continue":
                InTag(piece, p => { p.ExpectEnd(); return 0; }, keyword);
                return new LoopControlNode(keyword == "break" ? LoopSignal.Break : LoopSignal.Continue);
            case "generation":
                return new GenerationNode(ParseBody(out _, piece, "endgeneration"));
            default:
                throw Fail($"unsupported tag '{{% {keyword} %}}'", piece.Offset + piece.Content.IndexOf(keyword, StringComparison.Ordinal));
        }
    }

    private static Expr Condition(ExpressionParser p)
    {
        var e = p.ParseTernary();
        p.ExpectEnd();
        return e;
    }
}
