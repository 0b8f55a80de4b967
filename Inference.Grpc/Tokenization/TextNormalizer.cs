using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// tokenizer.json's "normalizer": a text-to-text step run on every piece of the input that is not an added token.
/// Supported: NFC, NFKC, NFD, NFKD, Lowercase, StripAccents, Prepend, Replace (string or regex pattern), Strip,
/// BertNormalizer, Precompiled (a SentencePiece charsmap), Sequence; anything else (NMT, ByteLevel) is refused.
/// </summary>
public abstract class TextNormalizer
{
    public abstract string Normalize(string text);

    /// <summary>Null when the file has no normalizer.</summary>
    public static TextNormalizer? Read(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.Null) return null;
        var type = TokenizerJson.TypeOf(node, "normalizer");
        return type switch
        {
            "NFC" => new Unicode(NormalizationForm.FormC),
            "NFKC" => new Unicode(NormalizationForm.FormKC),
            "NFD" => new Unicode(NormalizationForm.FormD),
            "NFKD" => new Unicode(NormalizationForm.FormKD),
            "Lowercase" => new Lowercase(),
            "BertNormalizer" => BertNormalizer.FromJson(node),
            "Prepend" => new Prepend(node.GetProperty("prepend").GetString()!),
            "StripAccents" => new StripAccents(),
            "Precompiled" => PrecompiledNormalizer.FromBase64(node.GetProperty("precompiled_charsmap").GetString()),
            "Replace" when node.GetProperty("pattern").TryGetProperty("Regex", out var regex) =>
                new RegexReplace(new CodePointRegex(regex.GetString()!), node.GetProperty("content").GetString()!),
            "Replace" => new Replace(TokenizerJson.StringPattern(node, "normalizer Replace"), node.GetProperty("content").GetString()!),
            "Strip" => new Strip(node.GetProperty("strip_left").GetBoolean(), node.GetProperty("strip_right").GetBoolean()),
            "Sequence" => new Sequence([.. node.GetProperty("normalizers").EnumerateArray().Select(Read).OfType<TextNormalizer>()]),
            _ => throw TokenizerJson.Unsupported("normalizer", type),
        };
    }

    private sealed class Unicode(NormalizationForm form) : TextNormalizer
    {
        public override string Normalize(string text) => text.IsNormalized(form) ? text : text.Normalize(form);
    }

    private sealed class Lowercase : TextNormalizer
    {
        public override string Normalize(string text) => text.ToLowerInvariant();
    }

    /// <summary>As the library does: nothing is prepended to an empty piece.</summary>
    private sealed class Prepend(string prefix) : TextNormalizer
    {
        public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
    }

    private sealed class Replace(string pattern, string content) : TextNormalizer
    {
        public override string Normalize(string text) => text.Replace(pattern, content, StringComparison.Ordinal);
    }

    /// <summary>As the library does: every combining mark (Mn, Mc, Me) dropped; it follows an NFD or NFKD step.</summary>
    private sealed class StripAccents : TextNormalizer
    {
        public override string Normalize(string text)
        {
            var kept = new StringBuilder(text.Length);
            foreach (var rune in text.EnumerateRunes())
            {
                if (Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
                    kept.Append(rune.ToString());
            }
            return kept.ToString();
        }
    }

    private sealed class RegexReplace(CodePointRegex pattern, string content) : TextNormalizer
    {
        public override string Normalize(string text)
        {
            var matches = pattern.Matches(text);
            if (matches.Count == 0) return text;
            var output = new StringBuilder(text.Length);
            var at = 0;
            foreach (var (start, length) in matches)
            {
                output.Append(text, at, start - at).Append(content);
                at = start + length;
            }
            return output.Append(text, at, text.Length - at).ToString();
        }
    }

    private sealed class Strip(bool left, bool right) : TextNormalizer
    {
        public override string Normalize(string text) =>
            left && right ? text.Trim() : left ? text.TrimStart() : right ? text.TrimEnd() : text;
    }

    private sealed class Sequence(IReadOnlyList<TextNormalizer> steps) : TextNormalizer
    {
        public override string Normalize(string text)
        {
            foreach (var step in steps) text = step.Normalize(text);
            return text;
        }
    }
}
