using Microsoft.ML.Tokenizers;

namespace MlStack.Inference.Embeddings;

/// <summary>A text as the model sees it: token ids with [CLS]/[SEP], and whether the text was cut to fit.</summary>
public readonly record struct TokenizedText(int[] Ids, bool Truncated);

/// <summary>BERT WordPiece tokenization with truncation to the model's sequence limit.</summary>
public sealed class WordPieceTextTokenizer(BertTokenizer tokenizer, int maxSequenceLength)
{
    public static WordPieceTextTokenizer Create(string vocabPath, bool lowercase, int maxSequenceLength) =>
        new(BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = lowercase }), maxSequenceLength);

    public int MaxSequenceLength => maxSequenceLength;

    public TokenizedText Tokenize(string text)
    {
        var room = maxSequenceLength - 2; // [CLS] and [SEP]
        // Stops one token past the limit: enough to know the text was cut, without tokenizing megabytes of it.
        var words = tokenizer.EncodeToIds(text, room + 1, addSpecialTokens: false, out _, out _);
        var kept = Math.Min(words.Count, room);
        var ids = new int[kept + 2];
        ids[0] = tokenizer.ClassificationTokenId;
        for (var i = 0; i < kept; i++) ids[i + 1] = words[i];
        ids[kept + 1] = tokenizer.SeparatorTokenId;
        return new TokenizedText(ids, words.Count > room);
    }
}
