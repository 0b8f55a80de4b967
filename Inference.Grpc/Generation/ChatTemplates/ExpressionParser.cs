namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// Parses the tokens of one tag into an expression tree, with Python's precedence from the loosest: inline
/// if/else, or, and, not, comparisons (==, !=, &lt;, &gt;, in, not in, is [not] test), ~, + and -, *, /, // and %,
/// unary minus, then postfix attribute, index, slice, call and |filter on a primary (literal, name, (..), [..], {..}).
/// </summary>
internal sealed class ExpressionParser(List<Token> tokens)
{
    private int _i;

    /// <summary>A whole tag's content as one expression; anything left over is refused.</summary>
    public static Expr Parse(string source)
    {
        var p = new ExpressionParser(ExpressionLexer.Tokenize(source));
        var e = p.ParseTernary();
        p.ExpectEnd();
        return e;
    }

    private Token Peek => tokens[_i];

    public bool Accept(string op)
    {
        if (Peek.Kind == TokenKind.Operator && Peek.Text == op) { _i++; return true; }
        return false;
    }

    public bool AcceptKeyword(string word)
    {
        if (Peek.Kind == TokenKind.Name && Peek.Text == word) { _i++; return true; }
        return false;
    }

    public void Expect(string op)
    {
        if (!Accept(op)) throw new ChatTemplateException($"expected '{op}' but found '{Peek.Text}'");
    }

    public void ExpectKeyword(string word)
    {
        if (!AcceptKeyword(word)) throw new ChatTemplateException($"expected '{word}' but found '{Peek.Text}'");
    }

    public string ExpectName()
    {
        if (Peek.Kind != TokenKind.Name) throw new ChatTemplateException($"expected a name but found '{Peek.Text}'");
        return tokens[_i++].Text;
    }

    public void ExpectEnd()
    {
        if (Peek.Kind != TokenKind.End) throw new ChatTemplateException($"unexpected '{Peek.Text}'");
    }

    public Expr ParseTernary(bool allowIf = true)
    {
        var value = ParseOr();
        if (allowIf && AcceptKeyword("if"))
        {
            var condition = ParseOr();
            var otherwise = AcceptKeyword("else") ? ParseTernary() : new Literal(Undefined.Value);
            return new Conditional(condition, value, otherwise);
        }
        return value;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (AcceptKeyword("or")) left = new Logical("or", left, ParseAnd());
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (AcceptKeyword("and")) left = new Logical("and", left, ParseNot());
        return left;
    }

    private Expr ParseNot() => AcceptKeyword("not") ? new Not(ParseNot()) : ParseCompare();

    private Expr ParseCompare()
    {
        var left = ParseConcat();
        while (true)
        {
            if (Peek.Kind == TokenKind.Operator && Peek.Text is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                var op = tokens[_i++].Text;
                left = new Binary(op, left, ParseConcat());
            }
            else if (AcceptKeyword("in"))
            {
                left = new Binary("in", left, ParseConcat());
            }
            else if (Peek.Kind == TokenKind.Name && Peek.Text == "not" && tokens[_i + 1].Text == "in")
            {
                _i += 2;
                left = new Not(new Binary("in", left, ParseConcat()));
            }
            else if (AcceptKeyword("is"))
            {
                var negate = AcceptKeyword("not");
                var test = ExpectName();
                Expr result = new TestExpr(test, left);
                left = negate ? new Not(result) : result;
            }
            else
            {
                return left;
            }
        }
    }

    private Expr ParseConcat()
    {
        var left = ParseAdditive();
        while (Accept("~")) left = new Binary("~", left, ParseAdditive());
        return left;
    }

    private Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "+" or "-")
        {
            var op = tokens[_i++].Text;
            left = new Binary(op, left, ParseMultiplicative());
        }
        return left;
    }

    private Expr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "*" or "/" or "%" or "//")
        {
            var op = tokens[_i++].Text;
            left = new Binary(op, left, ParseUnary());
        }
        return left;
    }

    private Expr ParseUnary() => Accept("-") ? new Binary("-", new Literal(0L), ParseUnary()) : ParsePostfix();

    private Expr ParsePostfix()
    {
        var e = ParsePrimary();
        while (true)
        {
            if (Accept("."))
            {
                e = new Index(e, new Literal(ExpectName()));
            }
            else if (Accept("["))
            {
                Expr? start = Peek.Text == ":" ? null : ParseTernary();
                if (Accept(":"))
                {
                    Expr? stop = Peek.Text == "]" ? null : ParseTernary();
                    Expect("]");
                    e = new SliceExpr(e, start, stop);
                }
                else
                {
                    Expect("]");
                    e = new Index(e, start!);
                }
            }
            else if (Accept("("))
            {
                var (args, kwargs) = ParseArguments();
                e = new Call(e, args, kwargs);
            }
            else if (Accept("|"))
            {
                var name = ExpectName();
                var args = new List<Expr>();
                if (Accept("("))
                {
                    args = ParseArguments().Args;
                }
                e = new FilterExpr(name, e, args);
            }
            else
            {
                return e;
            }
        }
    }

    private (List<Expr> Args, Dictionary<string, Expr> Kwargs) ParseArguments()
    {
        var args = new List<Expr>();
        var kwargs = new Dictionary<string, Expr>();
        if (Accept(")")) return (args, kwargs);
        do
        {
            if (Peek.Kind == TokenKind.Name && tokens[_i + 1].Text == "=")
            {
                var name = ExpectName();
                _i++;
                kwargs[name] = ParseTernary();
            }
            else
            {
                args.Add(ParseTernary());
            }
        } while (Accept(","));
        Expect(")");
        return (args, kwargs);
    }

    private Expr ParsePrimary()
    {
        var t = tokens[_i++];
        switch (t.Kind)
        {
            case TokenKind.String:
                // Adjacent string literals concatenate, as in Python.
                var text = (string)t.Value!;
                while (Peek.Kind == TokenKind.String) text += (string)tokens[_i++].Value!;
                return new Literal(text);
            case TokenKind.Number:
                return new Literal(t.Value);
            case TokenKind.Name:
                return t.Text switch
                {
                    "true" or "True" => new Literal(true),
                    "false" or "False" => new Literal(false),
                    "none" or "None" => new Literal(null),
                    _ => new Variable(t.Text),
                };
            case TokenKind.Operator when t.Text == "(":
                var inner = ParseTernary();
                Expect(")");
                return inner;
            case TokenKind.Operator when t.Text == "[":
                var items = new List<Expr>();
                if (!Accept("]"))
                {
                    do items.Add(ParseTernary()); while (Accept(","));
                    Expect("]");
                }
                return new ListExpr(items);
            case TokenKind.Operator when t.Text == "{":
                var entries = new List<(Expr, Expr)>();
                if (!Accept("}"))
                {
                    do
                    {
                        var key = ParseTernary();
                        Expect(":");
                        entries.Add((key, ParseTernary()));
                    } while (Accept(","));
                    Expect("}");
                }
                return new DictExpr(entries);
            default:
                throw new ChatTemplateException($"unexpected '{t.Text}' in an expression");
        }
    }
}
