using System.Globalization;
using System.Text;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>What a token inside a tag is; End closes every token list.</summary>
internal enum TokenKind { Name, String, Number, Operator, End }

/// <summary>One token; literals carry their value (a string, a long or a double); Offset is where it starts in the tag.</summary>
internal sealed record Token(TokenKind Kind, string Text, object? Value = null, int Offset = 0);

/// <summary>A syntax error at an offset inside a tag's content; the parser turns it into a line and column.</summary>
internal sealed class TagSyntaxException(string message, int offset) : ChatTemplateException(message)
{
    public int Offset { get; } = offset;
}

/// <summary>Splits the content of a tag into names, literals and operators, with Python's string escapes.</summary>
internal static class ExpressionLexer
{
    private static readonly string[] TwoCharOperators = ["==", "!=", "<=", ">=", "//", "**"];

    public static List<Token> Tokenize(string source)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < source.Length)
        {
            var c = source[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                while (i < source.Length && (char.IsLetterOrDigit(source[i]) || source[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Name, source[start..i], null, start));
                continue;
            }
            if (char.IsDigit(c))
            {
                while (i < source.Length && (char.IsDigit(source[i]) || source[i] == '_')) i++;
                var isFloat = false;
                // "1.5" is a float; "1.x" would be an attribute of 1, which no template writes.
                if (i + 1 < source.Length && source[i] == '.' && char.IsDigit(source[i + 1]))
                {
                    isFloat = true;
                    i++;
                    while (i < source.Length && char.IsDigit(source[i])) i++;
                }
                if (i < source.Length && source[i] is 'e' or 'E')
                {
                    isFloat = true;
                    i++;
                    if (i < source.Length && source[i] is '+' or '-') i++;
                    while (i < source.Length && char.IsDigit(source[i])) i++;
                }
                var text = source[start..i].Replace("_", "", StringComparison.Ordinal);
                var number = isFloat
                    ? (object)double.Parse(text, CultureInfo.InvariantCulture)
                    : long.Parse(text, CultureInfo.InvariantCulture);
                tokens.Add(new Token(TokenKind.Number, text, number, start));
                continue;
            }
            if (c is '\'' or '"')
            {
                var value = ReadString(source, ref i);
                tokens.Add(new Token(TokenKind.String, value, value, start));
                continue;
            }
            var two = i + 1 < source.Length ? source.Substring(i, 2) : string.Empty;
            if (TwoCharOperators.Contains(two))
            {
                tokens.Add(new Token(TokenKind.Operator, two, null, start));
                i += 2;
                continue;
            }
            if ("+-*/%~()[].,|:<>={}".Contains(c))
            {
                tokens.Add(new Token(TokenKind.Operator, c.ToString(), null, start));
                i++;
                continue;
            }
            throw new TagSyntaxException($"unexpected character '{c}'", start);
        }
        tokens.Add(new Token(TokenKind.End, string.Empty, null, source.Length));
        return tokens;
    }

    private static string ReadString(string source, ref int i)
    {
        var start = i;
        var quote = source[i++];
        var sb = new StringBuilder();
        while (i < source.Length && source[i] != quote)
        {
            if (source[i] == '\\' && i + 1 < source.Length)
            {
                i++;
                var e = source[i];
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'v': sb.Append('\v'); break;
                    case 'a': sb.Append('\a'); break;
                    case '0': sb.Append('\0'); break;
                    case '\\' or '\'' or '"': sb.Append(e); break;
                    case '\n': break; // a line continuation
                    case 'x' when i + 2 < source.Length:
                        sb.Append((char)int.Parse(source.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 2;
                        break;
                    case 'u' when i + 4 < source.Length:
                        sb.Append((char)int.Parse(source.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    default:
                        // Python keeps an unknown escape as it is written.
                        sb.Append('\\').Append(e);
                        break;
                }
            }
            else
            {
                sb.Append(source[i]);
            }
            i++;
        }
        if (i >= source.Length) throw new TagSyntaxException("unterminated string literal", start);
        i++;
        return sb.ToString();
    }
}
