using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// BERT's normalizer as the HuggingFace library runs it: control characters dropped and white space made a space
/// (clean_text), CJK ideographs set apart by spaces (handle_chinese_chars), accents stripped (NFD, non-spacing marks
/// dropped; by default when lowercasing), lowercase. Written here, not taken from Microsoft.ML.Tokenizers: its
/// BertTokenizer's basic tokenization drops ASCII symbols such as + = &lt; &gt; and joins words around a tab, so BERT-family
/// models would get other ids than transformers gives them.
/// </summary>
public sealed class BertNormalizer(bool cleanText, bool handleChineseChars, bool stripAccents, bool lowercase) : TextNormalizer
{
    public static BertNormalizer FromJson(JsonElement node)
    {
        var lowercase = node.GetProperty("lowercase").GetBoolean();
        var strip = node.TryGetProperty("strip_accents", out var s) && s.ValueKind != JsonValueKind.Null ? s.GetBoolean() : lowercase;
        return new BertNormalizer(node.GetProperty("clean_text").GetBoolean(), node.GetProperty("handle_chinese_chars").GetBoolean(), strip, lowercase);
    }

    public override string Normalize(string text)
    {
        var output = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            var value = rune.Value;
            if (cleanText)
            {
                if (value is 0 or 0xFFFD || IsControl(rune)) continue;
                if (IsWhiteSpace(rune))
                {
                    output.Append(' ');
                    continue;
                }
            }
            if (handleChineseChars && IsChineseChar(value)) output.Append(' ').Append(rune.ToString()).Append(' ');
            else output.Append(rune.ToString());
        }
        var result = output.ToString();
        if (stripAccents)
        {
            var decomposed = result.Normalize(NormalizationForm.FormD);
            var kept = new StringBuilder(decomposed.Length);
            foreach (var rune in decomposed.EnumerateRunes())
            {
                if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.NonSpacingMark) kept.Append(rune.ToString());
            }
            result = kept.ToString();
        }
        return lowercase ? result.ToLowerInvariant() : result;
    }

    internal static bool IsWhiteSpace(Rune rune) => rune.Value is '\t' or '\n' or '\r' || Rune.IsWhiteSpace(rune);

    /// <summary>The library's "other" categories (Cc, Cf, Cn, Co, Cs), less tab and line breaks.</summary>
    private static bool IsControl(Rune rune) => rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;

    private static bool IsChineseChar(int c) =>
        c is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B920 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
