namespace MlStack.Inference.Tokenization;

/// <summary>The ByteLevel pre-tokenizer: optionally a space in front and GPT-2's split, then bytes as characters.</summary>
public sealed class ByteLevelPreTokenizer(bool addPrefixSpace, bool useRegex) : PreTokenizer
{
    private static readonly PatternSplit Gpt2Split =
        new(new PatternSplit.Regex(new CodePointRegex(ByteLevel.Gpt2Pattern)), SplitBehavior.Isolated, invert: false);

    public override void Split(string text, bool atStart, List<Piece> output)
    {
        if (addPrefixSpace && !text.StartsWith(' ')) text = " " + text;
        if (!useRegex)
        {
            output.Add(new Piece(ByteLevel.Encode(text), atStart));
            return;
        }
        var words = new List<Piece>();
        Gpt2Split.Split(text, atStart, words);
        foreach (var word in words) output.Add(word with { Text = ByteLevel.Encode(word.Text) });
    }
}
