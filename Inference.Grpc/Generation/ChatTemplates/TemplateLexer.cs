namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>What a piece of template source is: literal text, a {{ output }} or a {% statement %}.</summary>
internal enum PieceKind { Text, Output, Statement }

/// <summary>One piece of a template; for tags, the content between the markers; Offset is where it starts in the source.</summary>
internal sealed record Piece(PieceKind Kind, string Content, int Offset);

/// <summary>
/// Splits template source into text, {{ output }} and {% statement %} pieces ({# comments #} are dropped), and
/// applies whitespace control to the text as transformers configures Jinja: "-" markers strip the whitespace
/// next to a tag, trim_blocks drops the newline after a block tag, lstrip_blocks the indentation before one. The
/// source is first normalized as Jinja does (<see cref="Normalize"/>).
/// </summary>
internal static class TemplateLexer
{
    /// <summary>Jinja's defaults: "\r\n" and "\r" become "\n", and one newline at the very end is dropped (keep_trailing_newline off).</summary>
    public static string Normalize(string source)
    {
        source = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        return source.EndsWith('\n') ? source[..^1] : source;
    }

    /// <summary>"line L, column C" of an offset in the normalized source (both from 1).</summary>
    public static string Location(string source, int offset)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return $"line {line}, column {offset - lineStart + 1}";
    }

    /// <summary>The pieces of an already normalized source.</summary>
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
                Add(pieces, text, pos);
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
                if (text.AsSpan(lineStart).IsWhiteSpace() && (lineStart > 0 || startsLine))
                {
                    text = text[..lineStart];
                }
            }
            Add(pieces, text, pos);

            var closer = kind switch { '{' => "}}", '%' => "%}", _ => "#}" };
            var close = source.IndexOf(closer, open + 2, StringComparison.Ordinal);
            if (kind != '#')
            {
                close = FindClose(source, open + 2, closer);
            }
            if (close < 0)
            {
                throw new ChatTemplateException($"unclosed '{source.Substring(open, 2)}' at {Location(source, open)}");
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
                pieces.Add(new Piece(kind == '{' ? PieceKind.Output : PieceKind.Statement, source[innerStart..innerEnd], innerStart));
            }
            pos = close + 2;
        }
        return pieces;
    }

    private static void Add(List<Piece> pieces, string text, int offset)
    {
        if (text.Length > 0)
        {
            pieces.Add(new Piece(PieceKind.Text, text, offset));
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
