namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// Parses the tokens of one tag into an expression tree with Jinja's precedence, loosest first: inline if/else, or,
/// and, not, comparisons (==, !=, &lt;, &gt;, in, not in), + and -, ~, *, /, // and %, **, unary minus, then a primary
/// (literal, name, (..) or tuple, [..], {..}) with its postfix attribute, index, slice, call, |filter and "is" test.
/// Errors are <see cref="TagSyntaxException"/>s at the offending token.
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
    private Token PeekAt(int ahead) => tokens[Math.Min(_i + ahead, tokens.Count - 1)];

    public bool AtEnd => Peek.Kind == TokenKind.End;

    public TagSyntaxException Error(string message) => new(message, Peek.Offset);

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
        if (!Accept(op)) throw Error($"expected '{op}' but found '{Describe(Peek)}'");
    }

    public void ExpectKeyword(string word)
    {
        if (!AcceptKeyword(word)) throw Error($"expected '{word}' but found '{Describe(Peek)}'");
    }

    public string ExpectName()
    {
        if (Peek.Kind != TokenKind.Name) throw Error($"expected a name but found '{Describe(Peek)}'");
        return tokens[_i++].Text;
    }

    public void ExpectEnd()
    {
        if (Peek.Kind != TokenKind.End) throw Error($"unexpected '{Describe(Peek)}'");
    }

    private static string Describe(Token t) => t.Kind == TokenKind.End ? "end of tag" : t.Text;

    public Expr ParseTernary(bool allowIf = true)
    {
        var value = ParseOr();
        while (allowIf && AcceptKeyword("if"))
        {
            var condition = ParseOr();
            var otherwise = AcceptKeyword("else") ? ParseTernary() : new Literal(Undefined.Value);
            value = new Conditional(condition, value, otherwise);
        }
        return value;
    }

    /// <summary>One expression, or several separated by commas as a tuple (for {% set a = x, y %} and {{ a, b }}).</summary>
    public Expr ParseTuple()
    {
        var first = ParseTernary();
        if (Peek.Text != ",") return first;
        var items = new List<Expr> { first };
        while (Accept(","))
        {
            if (AtEnd) break;
            items.Add(ParseTernary());
        }
        return new ListExpr(items);
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
        var left = ParseMath1();
        while (true)
        {
            if (Peek.Kind == TokenKind.Operator && Peek.Text is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                var op = tokens[_i++].Text;
                left = new Binary(op, left, ParseMath1());
            }
            else if (AcceptKeyword("in"))
            {
                left = new Binary("in", left, ParseMath1());
            }
            else if (Peek.Kind == TokenKind.Name && Peek.Text == "not" && PeekAt(1).Text == "in")
            {
                _i += 2;
                left = new Not(new Binary("in", left, ParseMath1()));
            }
            else
            {
                return left;
            }
        }
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "+" or "-")
        {
            var op = tokens[_i++].Text;
            left = new Binary(op, left, ParseConcat());
        }
        return left;
    }

    private Expr ParseConcat()
    {
        var left = ParseMath2();
        while (Accept("~")) left = new Binary("~", left, ParseMath2());
        return left;
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Peek.Kind == TokenKind.Operator && Peek.Text is "*" or "/" or "%" or "//")
        {
            var op = tokens[_i++].Text;
            left = new Binary(op, left, ParsePow());
        }
        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary();
        while (Accept("**")) left = new Binary("**", left, ParseUnary());
        return left;
    }

    private Expr ParseUnary(bool withFilter = true)
    {
        Expr e;
        if (Accept("-")) e = new Binary("-", new Literal(0L), ParseUnary(withFilter: false));
        else if (Accept("+")) e = ParseUnary(withFilter: false);
        else e = ParsePostfix(ParsePrimary());
        return withFilter ? ParseFilters(e) : e;
    }

    private Expr ParsePostfix(Expr e)
    {
        while (true)
        {
            if (Accept("."))
            {
                var t = tokens[_i++];
                if (t.Kind is not (TokenKind.Name or TokenKind.Number)) throw new TagSyntaxException($"expected an attribute name after '.'", t.Offset);
                e = new Attribute(e, t.Kind == TokenKind.Number ? t.Value : t.Text);
            }
            else if (Accept("["))
            {
                e = ParseSubscript(e);
            }
            else if (Accept("("))
            {
                var (args, kwargs) = ParseArguments();
                e = new Call(e, args, kwargs);
            }
            else
            {
                return e;
            }
        }
    }

    private Expr ParseSubscript(Expr target)
    {
        Expr? start = Peek.Text == ":" ? null : ParseTernary();
        if (!Accept(":"))
        {
            Expect("]");
            return new Index(target, start!);
        }
        Expr? stop = Peek.Text is ":" or "]" ? null : ParseTernary();
        Expr? step = null;
        if (Accept(":") && Peek.Text != "]") step = ParseTernary();
        Expect("]");
        return new SliceExpr(target, start, stop, step);
    }

    /// <summary>Filters and tests after a value: <c>x | trim | length</c>, <c>x is not none</c>, and calls on their results.</summary>
    private Expr ParseFilters(Expr e)
    {
        while (true)
        {
            if (Accept("|"))
            {
                if (Peek.Kind == TokenKind.Name && !Filters.Exists(Peek.Text)) throw Error($"unsupported filter '{Peek.Text}'");
                var name = ExpectName();
                var (args, kwargs) = Accept("(") ? ParseArguments() : ([], []);
                e = new FilterExpr(name, e, args, kwargs);
            }
            else if (AcceptKeyword("is"))
            {
                var negate = AcceptKeyword("not");
                if (Peek.Kind == TokenKind.Name && !IsTests.Exists(Peek.Text)) throw Error($"unsupported test 'is {Peek.Text}'");
                var name = ExpectName();
                var args = new List<Expr>();
                if (Accept("("))
                {
                    args = ParseArguments().Args;
                }
                else if (Peek.Kind is TokenKind.Name or TokenKind.String or TokenKind.Number or TokenKind.Operator
                    && (Peek.Kind != TokenKind.Operator || Peek.Text is "[" or "{")
                    && Peek.Text is not ("else" or "or" or "and"))
                {
                    if (Peek.Text == "is") throw Error("tests cannot be chained with 'is'");
                    args.Add(ParsePostfix(ParsePrimary()));
                }
                Expr test = new TestExpr(name, e, args);
                e = negate ? new Not(test) : test;
            }
            else if (Accept("("))
            {
                var (args, kwargs) = ParseArguments();
                e = new Call(e, args, kwargs);
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
            if (Peek.Text == ")") break; // a trailing comma
            if (Peek.Kind == TokenKind.Name && PeekAt(1).Text == "=")
            {
                var name = ExpectName();
                _i++;
                kwargs[name] = ParseTernary();
            }
            else
            {
                if (kwargs.Count > 0) throw Error("a positional argument follows a keyword argument");
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
                if (Accept(")")) return new ListExpr([]);
                var inner = ParseTernary();
                if (Peek.Text == ",")
                {
                    var items = new List<Expr> { inner };
                    while (Accept(",") && Peek.Text != ")") items.Add(ParseTernary());
                    inner = new ListExpr(items);
                }
                Expect(")");
                return inner;
            case TokenKind.Operator when t.Text == "[":
                var list = new List<Expr>();
                while (!Accept("]"))
                {
                    list.Add(ParseTernary());
                    if (!Accept(",")) { Expect("]"); break; }
                }
                return new ListExpr(list);
            case TokenKind.Operator when t.Text == "{":
                var entries = new List<(Expr, Expr)>();
                while (!Accept("}"))
                {
                    var key = ParseTernary();
                    Expect(":");
                    entries.Add((key, ParseTernary()));
                    if (!Accept(",")) { Expect("}"); break; }
                }
                return new DictExpr(entries);
            default:
                throw new TagSyntaxException($"unexpected '{Describe(t)}' in an expression", t.Offset);
        }
    }
}
