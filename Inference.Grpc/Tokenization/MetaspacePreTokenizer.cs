using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// SentencePiece's whitespace handling as a pre-tokenizer: spaces become the replacement character (▁), one is
/// prepended (always, or only at the start of the input: prepend_scheme "first"), and words start at each ▁.
/// </summary>
public sealed class MetaspacePreTokenizer(string replacement, MetaspacePreTokenizer.Prepend prepend, bool split) : PreTokenizer
{
    public enum Prepend { Always, First, Never }

    private readonly PatternSplit _split = new(new PatternSplit.Literal(replacement), SplitBehavior.MergedWithNext, invert: false);

    public static MetaspacePreTokenizer FromJson(JsonElement node)
    {
        var replacement = node.GetProperty("replacement").GetString()!;
        // Files written before prepend_scheme existed say add_prefix_space instead.
        var prepend = node.TryGetProperty("prepend_scheme", out var scheme) ? scheme.GetString() switch
        {
            "always" => Prepend.Always,
            "first" => Prepend.First,
            "never" => Prepend.Never,
            var other => throw TokenizerJson.Unsupported("pre_tokenizer Metaspace prepend_scheme", other),
        }
        : node.TryGetProperty("add_prefix_space", out var add) && !add.GetBoolean() ? Prepend.Never : Prepend.Always;
        var split = !node.TryGetProperty("split", out var s) || s.GetBoolean();
        return new MetaspacePreTokenizer(replacement, prepend, split);
    }

    public override void Split(string text, bool atStart, List<Piece> output)
    {
        text = text.Replace(" ", replacement, StringComparison.Ordinal);
        if (!text.StartsWith(replacement, StringComparison.Ordinal) && (prepend == Prepend.Always || prepend == Prepend.First && atStart))
        {
            text = replacement + text;
        }
        if (split) _split.Split(text, atStart, output);
        else output.Add(new Piece(text, atStart));
    }
}
