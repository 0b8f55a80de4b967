namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// Turns the pieces of a template into statement nodes: text, output, if/elif/else, for (with a filter and an
/// else branch) and set; expressions inside tags go to <see cref="ExpressionParser"/>. Any other tag is refused.
/// </summary>
internal sealed class TemplateParser(List<Piece> pieces)
{
    private int _index;

    /// <summary>The whole template as nodes; a stray end or else tag is refused.</summary>
    public static List<Node> Parse(string source)
    {
        var body = new TemplateParser(TemplateLexer.Split(source)).ParseBody(out var end);
        if (end is not null)
        {
            throw new ChatTemplateException($"unexpected '{{% {end} %}}'");
        }
        return body;
    }

    /// <summary>Nodes up to an end/else tag, which is returned (null at the end of the template).</summary>
    private List<Node> ParseBody(out string? terminator, params string[] terminators)
    {
        var nodes = new List<Node>();
        while (_index < pieces.Count)
        {
            var piece = pieces[_index++];
            switch (piece.Kind)
            {
                case PieceKind.Text:
                    nodes.Add(new TextNode(piece.Content));
                    break;
                case PieceKind.Output:
                    nodes.Add(new OutputNode(ExpressionParser.Parse(piece.Content)));
                    break;
                default:
                    var keyword = piece.Content.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
                    if (terminators.Contains(keyword))
                    {
                        terminator = piece.Content;
                        return nodes;
                    }
                    nodes.Add(ParseStatement(keyword, piece.Content));
                    break;
            }
        }
        terminator = null;
        if (terminators.Length > 0)
        {
            throw new ChatTemplateException($"missing '{{% {terminators[^1]} %}}'");
        }
        return nodes;
    }

    private Node ParseStatement(string keyword, string content)
    {
        var rest = content[keyword.Length..].Trim();
        switch (keyword)
        {
            case "if":
            {
                var branches = new List<(Expr, List<Node>)>();
                var condition = ExpressionParser.Parse(rest);
                List<Node>? otherwise = null;
                while (true)
                {
                    var body = ParseBody(out var end, "elif", "else", "endif");
                    branches.Add((condition, body));
                    if (end!.StartsWith("elif", StringComparison.Ordinal))
                    {
                        condition = ExpressionParser.Parse(end[4..]);
                        continue;
                    }
                    if (end == "else")
                    {
                        otherwise = ParseBody(out _, "endif");
                    }
                    return new IfNode(branches, otherwise);
                }
            }
            case "for":
            {
                var tokens = ExpressionLexer.Tokenize(rest);
                var names = new List<string>();
                var p = new ExpressionParser(tokens);
                do
                {
                    names.Add(p.ExpectName());
                } while (p.Accept(","));
                p.ExpectKeyword("in");
                var iterable = p.ParseTernary(allowIf: false);
                var filter = p.AcceptKeyword("if") ? p.ParseTernary() : null;
                p.ExpectEnd();
                var body = ParseBody(out var end, "else", "endfor");
                var otherwise = end == "else" ? ParseBody(out _, "endfor") : null;
                return new ForNode(names, iterable, filter, body, otherwise);
            }
            case "set":
            {
                var tokens = ExpressionLexer.Tokenize(rest);
                var p = new ExpressionParser(tokens);
                var name = p.ExpectName();
                string? attribute = p.Accept(".") ? p.ExpectName() : null;
                if (!p.Accept("="))
                {
                    throw new ChatTemplateException("block '{% set %}' ... '{% endset %}' is not supported");
                }
                var value = p.ParseTernary();
                p.ExpectEnd();
                return new SetNode(name, attribute, value);
            }
            default:
                throw new ChatTemplateException($"unsupported tag '{{% {keyword} %}}'");
        }
    }
}
