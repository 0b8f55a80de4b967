using System.Globalization;
using System.Text;

namespace MlStack.Inference.Tokenization;

/// <summary>BERT's pre-tokenizer: words split at white space (dropped) and at each punctuation character (kept alone).</summary>
public sealed class BertPreTokenizer : PreTokenizer
{
    public override void Split(string text, bool atStart, List<Piece> output)
    {
        var word = new StringBuilder();
        var wordStart = true;
        foreach (var rune in text.EnumerateRunes())
        {
            if (BertNormalizer.IsWhiteSpace(rune))
            {
                Flush();
                continue;
            }
            if (IsPunctuation(rune))
            {
                Flush();
                output.Add(new Piece(rune.ToString(), atStart && wordStart));
                wordStart = false;
                continue;
            }
            word.Append(rune.ToString());
        }
        Flush();

        void Flush()
        {
            if (word.Length == 0) return;
            output.Add(new Piece(word.ToString(), atStart && wordStart));
            wordStart = false;
            word.Clear();
        }
    }

    /// <summary>ASCII punctuation (which includes $ + &lt; = &gt; ^ ` | ~) or any Unicode P* category.</summary>
    private static bool IsPunctuation(Rune rune) =>
        rune.Value is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
}
