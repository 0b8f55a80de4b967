using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// A tokenizer.json regex run as the HuggingFace library runs it: over code points. .NET's Regex sees UTF-16 units, so
/// an emoji or a supplementary-plane letter is two surrogates that match neither \p{So} nor \p{L}, and `[^\s\p{L}]?`
/// takes half of it. Each supplementary code point is therefore matched as a stand-in BMP character of the same Unicode
/// category (one outside the CJK and kana blocks that patterns name explicitly), and matches are mapped back.
/// </summary>
public sealed class CodePointRegex
{
    private static readonly Dictionary<UnicodeCategory, char> StandIns = FindStandIns();
    private readonly Regex _regex;

    public CodePointRegex(string pattern)
    {
        try
        {
            _regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"tokenizer.json: the regex '{pattern}' does not compile: {ex.Message}");
        }
    }

    /// <summary>The (start, length) of every match, in UTF-16 units of <paramref name="text"/>.</summary>
    public List<(int Start, int Length)> Matches(string text)
    {
        var found = new List<(int, int)>();
        if (!HasSurrogates(text))
        {
            for (var match = _regex.Match(text); match.Success; match = match.NextMatch())
            {
                if (match.Length > 0) found.Add((match.Index, match.Length));
            }
            return found;
        }
        // Stand-in text, with where each of its characters starts in the original (one past the end last).
        var standIn = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            origin.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(text[i], text[i + 1]));
                standIn.Append(StandIns.TryGetValue(category, out var c) ? c : '\uFFFF');
                i++;
            }
            else
            {
                standIn.Append(text[i]);
            }
        }
        origin.Add(text.Length);
        for (var match = _regex.Match(standIn.ToString()); match.Success; match = match.NextMatch())
        {
            if (match.Length == 0) continue;
            var start = origin[match.Index];
            found.Add((start, origin[match.Index + match.Length] - start));
        }
        return found;
    }

    private static bool HasSurrogates(string text)
    {
        foreach (var c in text)
        {
            if (char.IsSurrogate(c)) return true;
        }
        return false;
    }

    /// <summary>
    /// For each category, the highest BMP character of it below the Hangul syllables that is neither white space nor
    /// in the CJK, kana, Hangul or ASCII ranges (the ranges real pre-tokenizer patterns spell out).
    /// </summary>
    private static Dictionary<UnicodeCategory, char> FindStandIns()
    {
        var map = new Dictionary<UnicodeCategory, char>();
        for (int c = 0xABFF; c >= 0x00A0; c--)
        {
            if (c is >= 0x2E80 and <= 0xA4CF || char.IsWhiteSpace((char)c)) continue;
            map.TryAdd(char.GetUnicodeCategory((char)c), (char)c);
        }
        map[UnicodeCategory.PrivateUse] = '\uE000';
        return map;
    }
}
