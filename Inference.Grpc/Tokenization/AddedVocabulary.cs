namespace MlStack.Inference.Tokenization;

/// <summary>
/// Finds added tokens in text as the library's AddedVocabulary does: leftmost-longest matches, single_word only between
/// non-word characters, lstrip/rstrip taking the white space beside the token. Tokens with normalized=false are found
/// in the raw text, the others in the normalized text (two sets, as in the library).
/// </summary>
public sealed class AddedVocabulary
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedVocabulary(IEnumerable<AddedToken> tokens)
    {
        // Longest first, so the first that matches at a position is the longest.
        _byFirstChar = tokens.Where(t => t.Content.Length > 0)
            .GroupBy(t => t.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Content.Length).ToArray());
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>
    /// The text cut at added tokens: (start, length, token) where token is null for text between them.
    /// With <paramref name="skipSpecial"/> special tokens are not matched (the text merely spells them).
    /// </summary>
    public List<(int Start, int Length, AddedToken? Token)> Split(string text, bool skipSpecial)
    {
        var parts = new List<(int, int, AddedToken?)>();
        var textStart = 0;
        var at = 0;
        while (at < text.Length)
        {
            var token = Longest(text, at, skipSpecial);
            if (token is null)
            {
                at++;
                continue;
            }
            int start = at, stop = at + token.Content.Length;
            if (token.SingleWord && (start > 0 && IsWordChar(text[start - 1]) || stop < text.Length && IsWordChar(text[stop])))
            {
                at++;
                continue;
            }
            if (token.LeftStrip)
            {
                var first = start;
                while (first > textStart && char.IsWhiteSpace(text[first - 1])) first--;
                start = first;
            }
            if (token.RightStrip)
            {
                while (stop < text.Length && char.IsWhiteSpace(text[stop])) stop++;
            }
            if (start > textStart) parts.Add((textStart, start - textStart, null));
            parts.Add((start, stop - start, token));
            textStart = at = stop;
        }
        if (textStart < text.Length) parts.Add((textStart, text.Length - textStart, null));
        return parts;
    }

    private AddedToken? Longest(string text, int at, bool skipSpecial)
    {
        if (!_byFirstChar.TryGetValue(text[at], out var candidates)) return null;
        foreach (var token in candidates)
        {
            if (skipSpecial && token.Special) continue;
            if (at + token.Content.Length <= text.Length && string.CompareOrdinal(text, at, token.Content, 0, token.Content.Length) == 0) return token;
        }
        return null;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';
}
