using Microsoft.ML.Tokenizers;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// A byte-level BPE model (Llama 3.x, Qwen, DeepSeek, gpt-oss, GPT-2) encoded by Microsoft.ML.Tokenizers' BpeTokenizer,
/// fed with tokenizer.json's vocabulary and merges. Pre-tokenization and normalization stay in this server's pipeline
/// (the library's RegexPreTokenizer has no Sequence of Splits, Digits or Metaspace): the library gets one word at a
/// time and only merges it. ignore_merges, which BpeOptions lacks, is a vocabulary look-up before the library is asked.
/// </summary>
public sealed class LibraryBpeModel : TokenModel
{
    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _vocab;
    private readonly string?[] _tokens;
    private readonly bool _ignoreMerges;

    private LibraryBpeModel(BpeTokenizer bpe, Dictionary<string, int> vocab, bool ignoreMerges)
    {
        (_bpe, _vocab, _ignoreMerges) = (bpe, vocab, ignoreMerges);
        _tokens = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _tokens[id] = token;
    }

    /// <summary>
    /// Null where the library cannot give identical ids: byte_fallback and unk_token (BpeOptions has no byte
    /// fallback), or merges of tokens that hold a space (its merges are "a b" strings).
    /// </summary>
    public static LibraryBpeModel? TryCreate(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, bool ignoreMerges,
        bool byteFallback, string? unkToken)
    {
        if (byteFallback || unkToken is not null || merges.Any(m => m.Left.Contains(' ') || m.Right.Contains(' '))) return null;
        var bpe = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = [.. merges.Select(m => $"{m.Left} {m.Right}")],
            ByteLevel = false,
            PreTokenizer = null,
            Normalizer = null,
        });
        return new LibraryBpeModel(bpe, vocab, ignoreMerges);
    }

    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public override string? IdToToken(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;

    public override void Encode(string word, List<int> ids)
    {
        if (word.Length == 0) return;
        if (_ignoreMerges && _vocab.TryGetValue(word, out var whole))
        {
            ids.Add(whole);
            return;
        }
        ids.AddRange(_bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
    }
}
