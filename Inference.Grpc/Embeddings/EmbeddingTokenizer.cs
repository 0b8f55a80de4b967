using MlStack.Inference.Tokenization;

namespace MlStack.Inference.Embeddings;

/// <summary>A text as the model sees it: token ids with its special tokens ([CLS]/[SEP]), and whether the text was cut.</summary>
public readonly record struct TokenizedText(int[] Ids, bool Truncated);

/// <summary>
/// An embedding model's tokenizer with truncation to its sequence limit. From the version folder's tokenizer.json when
/// there is one (a sentence-transformers export; its post-processor gives the special tokens), otherwise from the
/// vocab.txt that model.json names (BERT WordPiece, [CLS] … [SEP]).
/// </summary>
public sealed class EmbeddingTokenizer
{
    private readonly Func<string, int, (List<int> Ids, bool Truncated)> _tokenize;

    private EmbeddingTokenizer(int maxSequenceLength, Func<string, int, (List<int>, bool)> tokenize) =>
        (MaxSequenceLength, _tokenize) = (maxSequenceLength, tokenize);

    public int MaxSequenceLength { get; }

    public static EmbeddingTokenizer Load(string versionDirectory, string? vocabFile, bool lowercase, int maxSequenceLength)
    {
        if (File.Exists(Path.Combine(versionDirectory, TokenizerJson.FileName)))
        {
            return FromPipeline(TokenizerJson.Load(versionDirectory), maxSequenceLength);
        }
        if (vocabFile is null)
            throw new InvalidDataException($"'{versionDirectory}' has no tokenizer.json and model.json names no tokenizer.vocab.");
        return Create(Path.Combine(versionDirectory, vocabFile), lowercase, maxSequenceLength);
    }

    public static EmbeddingTokenizer FromPipeline(TokenizerPipeline pipeline, int maxSequenceLength)
    {
        var post = pipeline.PostProcessor;
        if (maxSequenceLength <= post.AddedCount)
            throw new InvalidDataException($"max_sequence_length {maxSequenceLength} leaves no room beside the {post.AddedCount} special tokens.");
        return new EmbeddingTokenizer(maxSequenceLength, (text, max) =>
        {
            // As transformers truncates: the text's own tokens first, then the post-processor's around what is kept.
            var ids = pipeline.Encode(text, addSpecialTokens: false);
            var room = max - post.AddedCount;
            var truncated = ids.Count > room;
            if (truncated) ids.RemoveRange(room, ids.Count - room);
            return (post.Apply(ids), truncated);
        });
    }

    /// <summary>vocab.txt, as transformers' BertTokenizerFast would read it (see <see cref="BertVocabFile"/>).</summary>
    public static EmbeddingTokenizer Create(string vocabPath, bool lowercase, int maxSequenceLength) =>
        FromPipeline(BertVocabFile.Load(vocabPath, lowercase), maxSequenceLength);

    public TokenizedText Tokenize(string text)
    {
        var (ids, truncated) = _tokenize(text, MaxSequenceLength);
        return new TokenizedText([.. ids], truncated);
    }
}
