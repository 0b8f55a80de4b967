using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// A small, safe renderer for the subset of Jinja that Hugging Face chat templates use (ChatML, Qwen2,
/// Llama 3, Phi): text, {{ expressions }}, if/elif/else, for loops with loop.*, set (namespace attributes
/// too), filters (trim, tojson, length, upper, lower, default, join, first, last, string), tests (defined,
/// none, string, mapping, ...), string methods and raise_exception. Whitespace is handled as transformers
/// configures Jinja: "-" markers, trim_blocks and lstrip_blocks. Templates only see the values given to
/// them (no .NET members are reachable), loops and output are bounded, and anything outside the subset is a
/// <see cref="ChatTemplateException"/> naming it.
/// </summary>
public sealed class ChatTemplate
{
    private const int MaxOutputChars = 4 * 1024 * 1024;
    private const int MaxIterations = 1_000_000;

    /// <summary>Used for models without a chat_template: the ChatML format.</summary>
    public const string ChatMl =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private readonly List<Node> _body;

    public ChatTemplate(string source)
    {
        var parser = new Parser(Lexer.Split(source));
        _body = parser.ParseBody(out var end);
        if (end is not null)
        {
            throw new ChatTemplateException($"unexpected '{{% {end} %}}'");
        }
    }

    /// <summary>Renders the conversation; roles and contents are plain strings.</summary>
    public string Render(IEnumerable<(string Role, string Content)> messages, bool addGenerationPrompt = true,
        IReadOnlyDictionary<string, object?>? variables = null)
    {
        var list = messages
            .Select(m => (object?)new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content })
            .ToList();
        var scope = new Dictionary<string, object?>
        {
            ["messages"] = list,
            ["add_generation_prompt"] = addGenerationPrompt,
            ["bos_token"] = string.Empty,
            ["eos_token"] = string.Empty,
        };
        if (variables is not null)
        {
            foreach (var (k, v) in variables)
            {
                scope[k] = v;
            }
        }
        var context = new RenderContext(scope);
        foreach (var node in _body)
        {
            node.Render(context);
        }
        return context.Output.ToString();
    }

    // ---------------------------------------------------------------------------------------------------
    // Lexing: text, {{ output }}, {% statements %}, with whitespace control applied to the text pieces.
    // ---------------------------------------------------------------------------------------------------
    private enum PieceKind { Text, Output, Statement }

    private sealed record Piece(PieceKind Kind, string Content);

    private static class Lexer
    {
        public static List<Piece> Split(string source)
        {
            var pieces = new List<Piece>();
            var pos = 0;
            var stripNextLeading = false;
            var trimNextNewline = false;
            while (pos < source.Length)
            {
                var open = FindOpen(source, pos);
                var text = open < 0 ? source[pos..] : source[pos..open];
                var startsLine = pos == 0;
                if (trimNextNewline && text.StartsWith('\n'))
                {
                    text = text[1..];
                    startsLine = true;
                }
                if (stripNextLeading)
                {
                    text = text.TrimStart();
                }
                if (open < 0)
                {
                    Add(pieces, text);
                    break;
                }
                var kind = source[open + 1];
                var minus = open + 2 < source.Length && source[open + 2] == '-';
                var plus = open + 2 < source.Length && source[open + 2] == '+';
                if (minus)
                {
                    text = text.TrimEnd();
                }
                else if (!plus && kind is '%' or '#')
                {
                    // lstrip_blocks: spaces and tabs before a block tag on its own line go.
                    var lineStart = text.LastIndexOf('\n') + 1;
                    if (text.AsSpan(lineStart).Trim(" \t").IsEmpty && (lineStart > 0 || startsLine))
                    {
                        text = text[..lineStart];
                    }
                }
                Add(pieces, text);

                var closer = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
                var close = source.IndexOf(closer, open + 2, StringComparison.Ordinal);
                if (kind != '#')
                {
                    close = FindClose(source, open + 2, closer);
                }
                if (close < 0)
                {
                    throw new ChatTemplateException($"unclosed '{source.Substring(open, 2)}' at character {open}");
                }
                var innerStart = open + 2 + (minus || plus ? 1 : 0);
                var innerEnd = close;
                stripNextLeading = close > innerStart && source[close - 1] == '-';
                if (stripNextLeading)
                {
                    innerEnd--;
                }
                trimNextNewline = kind is '%' or '#';
                if (kind != '#')
                {
                    pieces.Add(new Piece(kind == '{' ? PieceKind.Output : PieceKind.Statement, source[innerStart..innerEnd].Trim()));
                }
                pos = close + 2;
            }
            return pieces;
        }

        private static void Add(List<Piece> pieces, string text)
        {
            if (text.Length > 0)
            {
                pieces.Add(new Piece(PieceKind.Text, text));
            }
        }

        private static int FindOpen(string s, int from)
        {
            for (var i = from; i + 1 < s.Length; i++)
            {
                if (s[i] == '{' && s[i + 1] is '{' or '%' or '#')
                {
                    return i;
                }
            }
            return -1;
        }

        /// <summary>The closing marker, skipping string literals that may contain it.</summary>
        private static int FindClose(string s, int from, string closer)
        {
            char? quote = null;
            for (var i = from; i + 1 < s.Length; i++)
            {
                var c = s[i];
                if (quote is not null)
                {
                    if (c == '\\') i++;
                    else if (c == quote) quote = null;
                    continue;
                }
                if (c is '\'' or '"') quote = c;
                else if (c == closer[0] && s[i + 1] == closer[1]) return i;
            }
            return -1;
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Expression tokens
    // ---------------------------------------------------------------------------------------------------
    private enum TokenKind { Name, String, Number, Operator, End }

    private sealed record Token(TokenKind Kind, string Text, object? Value = null);

    private static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Name, source[start..i]));
                continue;
            }
            if (char.IsDigit(c))
            {
                var start = i;
                while (i < source.Length && (char.IsDigit(source[i]) || source[i] == '.')) i++;
                var text = source[start..i];
                var number = text.Contains('.')
                    ? (object)double.Parse(text, CultureInfo.InvariantCulture)
                    : long.Parse(text, CultureInfo.InvariantCulture);
                tokens.Add(new Token(TokenKind.Number, text, number));
                continue;
            }
            if (c is '\'' or '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < source.Length && source[i] != c)
                {
                    if (source[i] == '\\' && i + 1 < source.Length)
                    {
                        i++;
                        sb.Append(source[i] switch { 'n' => '\n', 't' => '\t', 'r' => '\r', var other => other });
                    }
                    else
                    {
                        sb.Append(source[i]);
                    }
                    i++;
                }
                if (i >= source.Length) throw new ChatTemplateException("unterminated string literal");
                i++;
                tokens.Add(new Token(TokenKind.String, sb.ToString(), sb.ToString()));
                continue;
            }
            var two = i + 1 < source.Length ? source.Substring(i, 2) : string.Empty;
            if (two is "==" or "!=" or "<=" or ">=" or "//")
            {
                tokens.Add(new Token(TokenKind.Operator, two));
                i += 2;
                continue;
            }
            if ("+-*/%~()[].,|:<>={}".Contains(c))
            {
                tokens.Add(new Token(TokenKind.Operator, c.ToString()));
                i++;
                continue;
            }
            throw new ChatTemplateException($"unexpected character '{c}' in '{source}'");
        }
        tokens.Add(new Token(TokenKind.End, string.Empty));
        return tokens;
    }

    // ---------------------------------------------------------------------------------------------------
    // Parsing
    // ---------------------------------------------------------------------------------------------------
    private sealed class Parser(List<Piece> pieces)
    {
        private int _index;

        /// <summary>Nodes up to an end/else tag, which is returned (null at the end of the template).</summary>
        public List<Node> ParseBody(out string? terminator, params string[] terminators)
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
                        nodes.Add(new OutputNode(ParseWhole(piece.Content)));
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
                    var condition = ParseWhole(rest);
                    List<Node>? otherwise = null;
                    while (true)
                    {
                        var body = ParseBody(out var end, "elif", "else", "endif");
                        branches.Add((condition, body));
                        if (end!.StartsWith("elif", StringComparison.Ordinal))
                        {
                            condition = ParseWhole(end[4..]);
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
                    var tokens = Tokenize(rest);
                    var names = new List<string>();
                    var p = new ExprParser(tokens);
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
                    var tokens = Tokenize(rest);
                    var p = new ExprParser(tokens);
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

        private static Expr ParseWhole(string source)
        {
            var p = new ExprParser(Tokenize(source));
            var e = p.ParseTernary();
            p.ExpectEnd();
            return e;
        }
    }

    private sealed class ExprParser(List<Token> tokens)
    {
        private int _i;

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

    // ---------------------------------------------------------------------------------------------------
    // Evaluation
    // ---------------------------------------------------------------------------------------------------
    private sealed class Undefined
    {
        public static readonly Undefined Value = new();
    }

    private sealed class RenderContext(Dictionary<string, object?> globals)
    {
        public StringBuilder Output { get; } = new();
        public List<Dictionary<string, object?>> Scopes { get; } = [globals];
        public int Iterations;

        public object? Lookup(string name)
        {
            for (var i = Scopes.Count - 1; i >= 0; i--)
            {
                if (Scopes[i].TryGetValue(name, out var v)) return v;
            }
            return Undefined.Value;
        }

        public void Write(string text)
        {
            if (Output.Length + text.Length > MaxOutputChars)
            {
                throw new ChatTemplateException($"the rendered prompt exceeds {MaxOutputChars} characters");
            }
            Output.Append(text);
        }
    }

    private abstract record Node
    {
        public abstract void Render(RenderContext context);

        protected static void RenderAll(List<Node> nodes, RenderContext context)
        {
            foreach (var node in nodes) node.Render(context);
        }
    }

    private sealed record TextNode(string Text) : Node
    {
        public override void Render(RenderContext context) => context.Write(Text);
    }

    private sealed record OutputNode(Expr Value) : Node
    {
        public override void Render(RenderContext context) => context.Write(Values.ToText(Value.Evaluate(context)));
    }

    private sealed record IfNode(List<(Expr Condition, List<Node> Body)> Branches, List<Node>? Otherwise) : Node
    {
        public override void Render(RenderContext context)
        {
            foreach (var (condition, body) in Branches)
            {
                if (Values.IsTrue(condition.Evaluate(context)))
                {
                    RenderAll(body, context);
                    return;
                }
            }
            if (Otherwise is not null) RenderAll(Otherwise, context);
        }
    }

    private sealed record ForNode(List<string> Names, Expr Iterable, Expr? Filter, List<Node> Body, List<Node>? Otherwise) : Node
    {
        public override void Render(RenderContext context)
        {
            var source = Iterable.Evaluate(context) switch
            {
                List<object?> list => list,
                Dictionary<string, object?> dict => dict.Keys.Select(k => (object?)k).ToList(),
                string s => s.Select(c => (object?)c.ToString()).ToList(),
                null or Undefined => [],
                var other => throw new ChatTemplateException($"cannot loop over {Values.TypeName(other)}"),
            };
            var scope = new Dictionary<string, object?>();
            context.Scopes.Add(scope);
            try
            {
                var items = new List<object?>();
                foreach (var item in source)
                {
                    Bind(scope, item);
                    if (Filter is null || Values.IsTrue(Filter.Evaluate(context))) items.Add(item);
                }
                for (var i = 0; i < items.Count; i++)
                {
                    if (++context.Iterations > MaxIterations)
                    {
                        throw new ChatTemplateException($"the template ran more than {MaxIterations} loop iterations");
                    }
                    Bind(scope, items[i]);
                    scope["loop"] = new Dictionary<string, object?>
                    {
                        ["index"] = (long)i + 1,
                        ["index0"] = (long)i,
                        ["revindex"] = (long)(items.Count - i),
                        ["revindex0"] = (long)(items.Count - i - 1),
                        ["first"] = i == 0,
                        ["last"] = i == items.Count - 1,
                        ["length"] = (long)items.Count,
                        ["previtem"] = i > 0 ? items[i - 1] : Undefined.Value,
                        ["nextitem"] = i + 1 < items.Count ? items[i + 1] : Undefined.Value,
                    };
                    RenderAll(Body, context);
                }
                if (items.Count == 0 && Otherwise is not null) RenderAll(Otherwise, context);
            }
            finally
            {
                context.Scopes.RemoveAt(context.Scopes.Count - 1);
            }
        }

        private void Bind(Dictionary<string, object?> scope, object? item)
        {
            if (Names.Count == 1)
            {
                scope[Names[0]] = item;
                return;
            }
            if (item is not List<object?> parts || parts.Count != Names.Count)
            {
                throw new ChatTemplateException($"cannot unpack {Values.TypeName(item)} into {Names.Count} names");
            }
            for (var i = 0; i < Names.Count; i++) scope[Names[i]] = parts[i];
        }
    }

    private sealed record SetNode(string Name, string? Attribute, Expr Value) : Node
    {
        public override void Render(RenderContext context)
        {
            var value = Value.Evaluate(context);
            if (Attribute is null)
            {
                context.Scopes[^1][Name] = value;
                return;
            }
            if (context.Lookup(Name) is not Namespace ns)
            {
                throw new ChatTemplateException($"'{Name}' is not a namespace(): cannot set '{Name}.{Attribute}'");
            }
            ns[Attribute] = value;
        }
    }

    /// <summary>The mutable object namespace() returns (Jinja's way to carry values out of loops).</summary>
    private sealed class Namespace : Dictionary<string, object?>;

    private abstract record Expr
    {
        public abstract object? Evaluate(RenderContext context);
    }

    private sealed record Literal(object? Value) : Expr
    {
        public override object? Evaluate(RenderContext context) => Value;
    }

    private sealed record Variable(string Name) : Expr
    {
        public override object? Evaluate(RenderContext context) => context.Lookup(Name);
    }

    private sealed record ListExpr(List<Expr> Items) : Expr
    {
        public override object? Evaluate(RenderContext context) => Items.Select(i => i.Evaluate(context)).ToList();
    }

    private sealed record DictExpr(List<(Expr Key, Expr Value)> Entries) : Expr
    {
        public override object? Evaluate(RenderContext context) =>
            Entries.ToDictionary(e => Values.ToText(e.Key.Evaluate(context)), e => e.Value.Evaluate(context));
    }

    private sealed record Conditional(Expr Condition, Expr Then, Expr Else) : Expr
    {
        public override object? Evaluate(RenderContext context) =>
            Values.IsTrue(Condition.Evaluate(context)) ? Then.Evaluate(context) : Else.Evaluate(context);
    }

    private sealed record Logical(string Op, Expr Left, Expr Right) : Expr
    {
        public override object? Evaluate(RenderContext context)
        {
            var left = Left.Evaluate(context);
            return Op == "and"
                ? (Values.IsTrue(left) ? Right.Evaluate(context) : left)
                : (Values.IsTrue(left) ? left : Right.Evaluate(context));
        }
    }

    private sealed record Not(Expr Operand) : Expr
    {
        public override object? Evaluate(RenderContext context) => !Values.IsTrue(Operand.Evaluate(context));
    }

    private sealed record Binary(string Op, Expr Left, Expr Right) : Expr
    {
        public override object? Evaluate(RenderContext context)
        {
            var a = Left.Evaluate(context);
            var b = Right.Evaluate(context);
            switch (Op)
            {
                case "==": return Values.AreEqual(a, b);
                case "!=": return !Values.AreEqual(a, b);
                case "~": return Values.ToText(a) + Values.ToText(b);
                case "in":
                    return b switch
                    {
                        string s => s.Contains(Values.ToText(a), StringComparison.Ordinal),
                        List<object?> list => list.Any(x => Values.AreEqual(x, a)),
                        Dictionary<string, object?> d => a is string key && d.ContainsKey(key),
                        _ => false,
                    };
                case "+" when a is string || b is string:
                    if (a is not string || b is not string)
                    {
                        throw new ChatTemplateException($"cannot add {Values.TypeName(a)} and {Values.TypeName(b)}");
                    }
                    return (string)a + (string)b;
                case "+" when a is List<object?> la && b is List<object?> lb:
                    return la.Concat(lb).ToList();
            }
            if (Op is "<" or ">" or "<=" or ">=")
            {
                var c = a is string sa && b is string sb ? string.CompareOrdinal(sa, sb) : Values.ToNumber(a).CompareTo(Values.ToNumber(b));
                return Op switch { "<" => c < 0, ">" => c > 0, "<=" => c <= 0, _ => c >= 0 };
            }
            if (a is long x && b is long y && Op != "/")
            {
                return Op switch
                {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    "//" => y == 0 ? throw new ChatTemplateException("division by zero") : (long)Math.Floor((double)x / y),
                    "%" => y == 0 ? throw new ChatTemplateException("division by zero") : ((x % y) + y) % y,
                    _ => throw new ChatTemplateException($"unsupported operator '{Op}'"),
                };
            }
            var (p, q) = (Values.ToNumber(a), Values.ToNumber(b));
            return Op switch
            {
                "+" => p + q,
                "-" => p - q,
                "*" => p * q,
                "/" => p / q,
                "//" => Math.Floor(p / q),
                "%" => p % q,
                _ => throw new ChatTemplateException($"unsupported operator '{Op}'"),
            };
        }
    }

    private sealed record Index(Expr Target, Expr Key) : Expr
    {
        public override object? Evaluate(RenderContext context)
        {
            var target = Target.Evaluate(context);
            var key = Key.Evaluate(context);
            switch (target)
            {
                case Dictionary<string, object?> d when key is string k:
                    return d.TryGetValue(k, out var v) ? v : Undefined.Value;
                case List<object?> list when key is long i:
                    var at = i < 0 ? list.Count + i : i;
                    return at >= 0 && at < list.Count ? list[(int)at] : Undefined.Value;
                case string s when key is long i:
                    var pos = i < 0 ? s.Length + i : i;
                    return pos >= 0 && pos < s.Length ? s[(int)pos].ToString() : Undefined.Value;
                case string when key is string method && StringMethods.Contains(method):
                    return new BoundMethod(target, method);
                default:
                    return Undefined.Value;
            }
        }
    }

    private sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop) : Expr
    {
        public override object? Evaluate(RenderContext context)
        {
            var target = Target.Evaluate(context);
            var count = target switch
            {
                List<object?> l => l.Count,
                string s => s.Length,
                _ => throw new ChatTemplateException($"cannot slice {Values.TypeName(target)}"),
            };
            int Resolve(Expr? e, int fallback)
            {
                if (e is null) return fallback;
                var n = (int)Values.ToNumber(e.Evaluate(context));
                return Math.Clamp(n < 0 ? count + n : n, 0, count);
            }
            var start = Resolve(Start, 0);
            var stop = Math.Max(start, Resolve(Stop, count));
            return target is string str ? str[start..stop] : ((List<object?>)target!).GetRange(start, stop - start);
        }
    }

    private sealed record BoundMethod(object? Target, string Name);

    private static readonly HashSet<string> StringMethods =
        ["strip", "lstrip", "rstrip", "startswith", "endswith", "upper", "lower", "replace", "split"];

    private sealed record Call(Expr Function, List<Expr> Args, Dictionary<string, Expr> Kwargs) : Expr
    {
        public override object? Evaluate(RenderContext context)
        {
            var args = Args.Select(a => a.Evaluate(context)).ToList();
            if (Function is Variable v)
            {
                switch (v.Name)
                {
                    case "raise_exception":
                        throw new ChatTemplateException("the template refused the messages: " + Values.ToText(args.FirstOrDefault()));
                    case "namespace":
                        var ns = new Namespace();
                        foreach (var (k, e) in Kwargs) ns[k] = e.Evaluate(context);
                        return ns;
                    case "range":
                        var (from, to) = args.Count == 1 ? (0L, (long)Values.ToNumber(args[0])) : ((long)Values.ToNumber(args[0]), (long)Values.ToNumber(args[1]));
                        if (to - from > MaxIterations) throw new ChatTemplateException("range() is too long");
                        return Enumerable.Range(0, (int)Math.Max(0, to - from)).Select(i => (object?)(from + i)).ToList();
                }
                throw new ChatTemplateException($"unknown function '{v.Name}'");
            }
            if (Function.Evaluate(context) is not BoundMethod m)
            {
                throw new ChatTemplateException("only functions and string methods can be called");
            }
            if (m.Target is string s)
            {
                string Arg(int i) => Values.ToText(args[i]);
                return m.Name switch
                {
                    "strip" => args.Count > 0 ? s.Trim(Arg(0).ToCharArray()) : s.Trim(),
                    "lstrip" => args.Count > 0 ? s.TrimStart(Arg(0).ToCharArray()) : s.TrimStart(),
                    "rstrip" => args.Count > 0 ? s.TrimEnd(Arg(0).ToCharArray()) : s.TrimEnd(),
                    "startswith" => s.StartsWith(Arg(0), StringComparison.Ordinal),
                    "endswith" => s.EndsWith(Arg(0), StringComparison.Ordinal),
                    "upper" => s.ToUpperInvariant(),
                    "lower" => s.ToLowerInvariant(),
                    "replace" => s.Replace(Arg(0), Arg(1), StringComparison.Ordinal),
                    "split" => (args.Count > 0 ? s.Split(Arg(0)) : s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                        .Select(x => (object?)x).ToList(),
                    _ => throw new ChatTemplateException($"unsupported string method '{m.Name}'"),
                };
            }
            throw new ChatTemplateException($"unsupported method '{m.Name}' on {Values.TypeName(m.Target)}");
        }
    }

    private sealed record FilterExpr(string Name, Expr Operand, List<Expr> Args) : Expr
    {
        public override object? Evaluate(RenderContext context)
        {
            var value = Operand.Evaluate(context);
            var args = Args.Select(a => a.Evaluate(context)).ToList();
            return Name switch
            {
                "trim" => Values.ToText(value).Trim(),
                "upper" => Values.ToText(value).ToUpperInvariant(),
                "lower" => Values.ToText(value).ToLowerInvariant(),
                "string" => Values.ToText(value),
                "length" or "count" => value switch
                {
                    string s => (long)s.Length,
                    List<object?> l => (long)l.Count,
                    Dictionary<string, object?> d => (long)d.Count,
                    _ => 0L,
                },
                "first" => value is List<object?> { Count: > 0 } f ? f[0] : Undefined.Value,
                "last" => value is List<object?> { Count: > 0 } l2 ? l2[^1] : Undefined.Value,
                "default" or "d" => value is Undefined || (args.Count > 1 && Values.IsTrue(args[1]) && !Values.IsTrue(value))
                    ? args.FirstOrDefault() ?? string.Empty : value,
                "join" => string.Join(args.Count > 0 ? Values.ToText(args[0]) : string.Empty,
                    (value as List<object?> ?? []).Select(Values.ToText)),
                "tojson" => Values.ToJson(value),
                "list" => value is List<object?> ? value : value is string str ? str.Select(c => (object?)c.ToString()).ToList() : new List<object?>(),
                _ => throw new ChatTemplateException($"unsupported filter '{Name}'"),
            };
        }
    }

    private sealed record TestExpr(string Name, Expr Operand) : Expr
    {
        public override object? Evaluate(RenderContext context)
        {
            var value = Operand.Evaluate(context);
            return Name switch
            {
                "defined" => value is not Undefined,
                "undefined" => value is Undefined,
                "none" => value is null,
                "string" => value is string,
                "number" => value is long or double,
                "boolean" => value is bool,
                "mapping" => value is Dictionary<string, object?>,
                "sequence" or "iterable" => value is List<object?> or string,
                "true" => value is true,
                "false" => value is false,
                _ => throw new ChatTemplateException($"unsupported test 'is {Name}'"),
            };
        }
    }

    private static class Values
    {
        public static bool IsTrue(object? v) => v switch
        {
            null or Undefined => false,
            bool b => b,
            long l => l != 0,
            double d => d != 0,
            string s => s.Length > 0,
            List<object?> l => l.Count > 0,
            Dictionary<string, object?> d => d.Count > 0,
            _ => true,
        };

        public static string ToText(object? v) => v switch
        {
            null => "None",
            Undefined => string.Empty,
            string s => s,
            bool b => b ? "True" : "False",
            long l => l.ToString(CultureInfo.InvariantCulture),
            double d => d.ToString(CultureInfo.InvariantCulture),
            _ => ToJson(v),
        };

        public static double ToNumber(object? v) => v switch
        {
            long l => l,
            double d => d,
            bool b => b ? 1 : 0,
            _ => throw new ChatTemplateException($"expected a number but got {TypeName(v)}"),
        };

        public static bool AreEqual(object? a, object? b) => (a, b) switch
        {
            (long x, double y) => x == y,
            (double x, long y) => x == y,
            (Undefined, Undefined) => true,
            _ => Equals(a, b),
        };

        public static string TypeName(object? v) => v switch
        {
            null => "none",
            Undefined => "an undefined value",
            string => "a string",
            long or double => "a number",
            bool => "a boolean",
            List<object?> => "a list",
            Dictionary<string, object?> => "a mapping",
            _ => "a value",
        };

        public static string ToJson(object? v) => JsonSerializer.Serialize(ToPlain(v));

        private static object? ToPlain(object? v) => v switch
        {
            Undefined => null,
            List<object?> l => l.Select(ToPlain).ToList(),
            Dictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => ToPlain(kv.Value)),
            _ => v,
        };
    }
}

/// <summary>A chat template that cannot be parsed or rendered (outside the supported subset, or refused).</summary>
public sealed class ChatTemplateException(string message) : Exception(message);
