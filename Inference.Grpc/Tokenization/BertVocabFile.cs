namespace MlStack.Inference.Tokenization;

/// <summary>
/// A BERT tokenizer from vocab.txt alone (model folders without tokenizer.json), with the components transformers'
/// BertTokenizerFast builds from it: BertNormalizer, BertPreTokenizer, WordPiece, "[CLS] $A [SEP]", and the five special
/// tokens as added tokens. The same ids as that model's tokenizer.json would give.
/// </summary>
public static class BertVocabFile
{
    private static readonly string[] Specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

    public static TokenizerPipeline Load(string vocabPath, bool lowercase)
    {
        var model = WordPieceModel.FromVocabFile(vocabPath);
        var vocab = model.Vocabulary;
        foreach (var required in new[] { "[CLS]", "[SEP]", "[UNK]" })
        {
            if (!vocab.ContainsKey(required)) throw new InvalidDataException($"{vocabPath} has no {required} token.");
        }
        var added = Specials.Where(vocab.ContainsKey)
            .Select(t => new AddedToken(vocab[t], t, Special: true, LeftStrip: false, RightStrip: false, SingleWord: false, Normalized: false))
            .ToList();
        var encoder = new PieceEncoder(new BertNormalizer(cleanText: true, handleChineseChars: true, stripAccents: lowercase, lowercase), new BertPreTokenizer(),
            model, added);
        return new TokenizerPipeline(encoder, model, added, new PostProcessor([vocab["[CLS]"]], [vocab["[SEP]"]]), decoder: null);
    }
}
