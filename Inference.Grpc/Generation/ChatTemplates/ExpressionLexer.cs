using System.Globalization;
using System.Text;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>What a token inside a tag is; End closes every token list.</summary>
internal enum TokenKind { Name, String, Number, Operator, End }

/// <summary>One token; string and number literals carry their value (a string, a long or a double).</summary>
internal sealed record Token(TokenKind Kind, string Text, object? Value = null);

/// <summary>Splits the content of a tag into names, literals and operators.</summary>
internal static class ExpressionLexer
{
    public static List<Token> Tokenize(string source)
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
}
