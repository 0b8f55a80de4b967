using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// The WordPiece model: the longest vocabulary entry from the start of the word, then the longest "##" continuation, and
/// so on; a word that cannot be covered, or longer than max_input_chars_per_word, is one unk token. Written here because
/// Microsoft.ML.Tokenizers' WordPieceTokenizer always runs a pre-tokenizer of its own (whitespace when none is given),
/// which splits words such as "€100" that BERT's pre-tokenizer keeps whole.
/// </summary>
public sealed class WordPieceModel : TokenModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly string?[] _tokens;
    private readonly string _prefix;
    private readonly int _maxChars;
    private readonly int _unkId;

    public WordPieceModel(Dictionary<string, int> vocab, string unkToken, string prefix, int maxChars)
    {
        _vocab = vocab;
        _tokens = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _tokens[id] = token;
        _unkId = vocab.TryGetValue(unkToken, out var unk) ? unk
            : throw new InvalidDataException($"tokenizer.json: the WordPiece unk_token '{unkToken}' is not in the vocabulary.");
        (_prefix, _maxChars) = (prefix, maxChars);
    }

    public static WordPieceModel Read(JsonElement model) => new(
        TokenizerJson.ReadVocabulary(model.GetProperty("vocab")),
        model.GetProperty("unk_token").GetString()!,
        model.TryGetProperty("continuing_subword_prefix", out var prefix) ? prefix.GetString()! : "##",
        model.TryGetProperty("max_input_chars_per_word", out var max) ? max.GetInt32() : 100);

    /// <summary>vocab.txt: one token a line, its line number the id.</summary>
    public static WordPieceModel FromVocabFile(string path)
    {
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        var id = 0;
        foreach (var line in File.ReadLines(path))
        {
            vocab.TryAdd(line.TrimEnd('\r'), id++);
        }
        return new WordPieceModel(vocab, "[UNK]", "##", 100);
    }

    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public override string? IdToToken(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;

    public override void Encode(string word, List<int> ids)
    {
        var length = 0;
        foreach (var _ in word.EnumerateRunes()) length++;
        if (length > _maxChars)
        {
            ids.Add(_unkId);
            return;
        }
        var pieces = new List<int>();
        var start = 0;
        while (start < word.Length)
        {
            var found = -1;
            var end = word.Length;
            while (end > start)
            {
                var candidate = start > 0 ? _prefix + word[start..end] : word[start..end];
                if (_vocab.TryGetValue(candidate, out var id))
                {
                    found = id;
                    break;
                }
                end -= end - 2 >= start && char.IsLowSurrogate(word[end - 1]) && char.IsHighSurrogate(word[end - 2]) ? 2 : 1;
            }
            if (found < 0)
            {
                ids.Add(_unkId);
                return;
            }
            pieces.Add(found);
            start = end;
        }
        ids.AddRange(pieces);
    }
}
