using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// tokenizer.json's "pre_tokenizer": splits normalized pieces into the words the model encodes one by one.
/// Supported: Split (string or regex, every delimiter behavior, invert), ByteLevel, Digits, Metaspace, BertPreTokenizer,
/// Sequence; anything else is refused.
/// </summary>
public abstract class PreTokenizer
{
    public abstract void Split(string text, bool atStart, List<Piece> output);

    /// <summary>Null when the file has none: each normalized piece is one word.</summary>
    public static PreTokenizer? Read(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.Null) return null;
        var type = TokenizerJson.TypeOf(node, "pre_tokenizer");
        return type switch
        {
            "Split" => new PatternSplit(
                ReadPattern(node.GetProperty("pattern")),
                ParseBehavior(node.GetProperty("behavior").GetString()),
                node.TryGetProperty("invert", out var invert) && invert.GetBoolean()),
            "ByteLevel" => new ByteLevelPreTokenizer(
                node.TryGetProperty("add_prefix_space", out var prefix) && prefix.GetBoolean(),
                !node.TryGetProperty("use_regex", out var regex) || regex.GetBoolean()),
            "Digits" => new PatternSplit(
                new PatternSplit.Regex(new CodePointRegex(@"[\p{Nd}\p{Nl}\p{No}]")),
                node.TryGetProperty("individual_digits", out var single) && single.GetBoolean() ? SplitBehavior.Isolated : SplitBehavior.Contiguous,
                invert: false),
            "Metaspace" => MetaspacePreTokenizer.FromJson(node),
            "BertPreTokenizer" => new BertPreTokenizer(),
            "Sequence" => new Sequence([.. node.GetProperty("pretokenizers").EnumerateArray().Select(Read).OfType<PreTokenizer>()]),
            _ => throw TokenizerJson.Unsupported("pre_tokenizer", type),
        };
    }

    private static PatternSplit.IPattern ReadPattern(JsonElement pattern) =>
        pattern.TryGetProperty("Regex", out var regex) ? new PatternSplit.Regex(new CodePointRegex(regex.GetString()!))
        : pattern.TryGetProperty("String", out var literal) ? new PatternSplit.Literal(literal.GetString()!)
        : throw TokenizerJson.Unsupported("pre_tokenizer Split pattern", pattern.GetRawText());

    private static SplitBehavior ParseBehavior(string? behavior) => behavior switch
    {
        "Removed" => SplitBehavior.Removed,
        "Isolated" => SplitBehavior.Isolated,
        "MergedWithPrevious" => SplitBehavior.MergedWithPrevious,
        "MergedWithNext" => SplitBehavior.MergedWithNext,
        "Contiguous" => SplitBehavior.Contiguous,
        _ => throw TokenizerJson.Unsupported("pre_tokenizer Split behavior", behavior),
    };

    private sealed class Sequence(IReadOnlyList<PreTokenizer> steps) : PreTokenizer
    {
        public override void Split(string text, bool atStart, List<Piece> output)
        {
            List<Piece> pieces = [new(text, atStart)];
            foreach (var step in steps)
            {
                var next = new List<Piece>(pieces.Count * 2);
                foreach (var piece in pieces) step.Split(piece.Text, piece.AtStart, next);
                pieces = next;
            }
            output.AddRange(pieces);
        }
    }
}
