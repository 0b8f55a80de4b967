using System.Text;
using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// tokenizer.json's "normalizer": a text-to-text step run on every piece of the input that is not an added token.
/// Supported: NFC, NFKC, NFD, NFKD, Lowercase, Prepend, Replace (string patterns), Strip, BertNormalizer, Sequence;
/// anything else (Precompiled, regex Replace, NMT, StripAccents alone) is refused.
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
