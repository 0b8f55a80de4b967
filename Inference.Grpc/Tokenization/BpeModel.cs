using System.Text;
using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// The BPE model of tokenizer.json: characters of a word merged by rank, lowest first (ties: leftmost), as the
/// library's Word::merge_all does; ignore_merges (a word in the vocabulary is one token), byte_fallback (a character
/// outside the vocabulary as its &lt;0xXX&gt; byte tokens), unk_token and fuse_unk.
/// Why not Microsoft.ML.Tokenizers' BpeTokenizer for all of it: BpeOptions has no byte_fallback, so SentencePiece-style
/// vocabularies (Llama 2, Mistral, Gemma) would get other ids. Byte-level vocabularies go to the library
/// (<see cref="LibraryBpeModel"/>); this class takes the rest.
/// </summary>
public sealed class BpeModel : TokenModel
{
    private readonly Dictionary<string, int> _vocab;
    private readonly string?[] _tokens;
    private readonly Dictionary<long, (int Rank, int NewId)> _merges;
    private readonly bool _ignoreMerges, _byteFallback, _fuseUnk;
    private readonly int? _unkId;
    private readonly int[]? _byteIds;

    public BpeModel(Dictionary<string, int> vocab, IReadOnlyList<(string Left, string Right)> merges, bool ignoreMerges, bool byteFallback,
        bool fuseUnk, string? unkToken)
    {
        _vocab = vocab;
        _tokens = new string?[vocab.Count == 0 ? 0 : vocab.Values.Max() + 1];
        foreach (var (token, id) in vocab) _tokens[id] = token;
        _merges = new Dictionary<long, (int, int)>(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocab.TryGetValue(left, out var a) || !vocab.TryGetValue(right, out var b))
                throw new InvalidDataException($"tokenizer.json: the BPE merge '{left} {right}' names a token outside the vocabulary.");
            if (!vocab.TryGetValue(left + right, out var merged))
                throw new InvalidDataException($"tokenizer.json: the BPE merge '{left} {right}' makes a token outside the vocabulary.");
            _merges.TryAdd(Key(a, b), (rank, merged));
        }
        (_ignoreMerges, _byteFallback, _fuseUnk) = (ignoreMerges, byteFallback, fuseUnk);
        if (unkToken is not null)
        {
            _unkId = vocab.TryGetValue(unkToken, out var unk) ? unk
                : throw new InvalidDataException($"tokenizer.json: the BPE unk_token '{unkToken}' is not in the vocabulary.");
        }
        if (byteFallback)
        {
            _byteIds = new int[256];
            for (var b = 0; b < 256; b++) _byteIds[b] = vocab.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
        }
    }

    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public override string? IdToToken(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;

    /// <summary>The library's BpeTokenizer where it gives identical ids (see <see cref="LibraryBpeModel"/>), this one otherwise.</summary>
    public static TokenModel Read(JsonElement model)
    {
        foreach (var name in new[] { "dropout", "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (model.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null && !(value.ValueKind == JsonValueKind.String && value.GetString() == ""))
                throw TokenizerJson.Unsupported("BPE option", $"{name}={value.GetRawText()}");
        }
        var vocab = TokenizerJson.ReadVocabulary(model.GetProperty("vocab"));
        var merges = ReadMerges(model.GetProperty("merges"));
        var (ignoreMerges, byteFallback, fuseUnk) = (Flag(model, "ignore_merges"), Flag(model, "byte_fallback"), Flag(model, "fuse_unk"));
        var unk = model.TryGetProperty("unk_token", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        CheckMerges(vocab, merges);
        return (TokenModel?)LibraryBpeModel.TryCreate(vocab, merges, ignoreMerges, byteFallback, unk)
            ?? new BpeModel(vocab, merges, ignoreMerges, byteFallback, fuseUnk, unk);
    }

    private static void CheckMerges(Dictionary<string, int> vocab, List<(string Left, string Right)> merges)
    {
        foreach (var (left, right) in merges)
        {
            if (!vocab.ContainsKey(left) || !vocab.ContainsKey(right))
                throw new InvalidDataException($"tokenizer.json: the BPE merge '{left} {right}' names a token outside the vocabulary.");
            if (!vocab.ContainsKey(left + right))
                throw new InvalidDataException($"tokenizer.json: the BPE merge '{left} {right}' makes a token outside the vocabulary.");
        }
    }

    /// <summary>Merges as "a b" strings (older files) or ["a", "b"] pairs (newer files, which allow spaces in tokens).</summary>
    public static List<(string, string)> ReadMerges(JsonElement merges)
    {
        var list = new List<(string, string)>(merges.GetArrayLength());
        foreach (var merge in merges.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.Array) list.Add((merge[0].GetString()!, merge[1].GetString()!));
            else
            {
                var text = merge.GetString()!;
                var space = text.IndexOf(' ', 1);
                if (space < 0) throw new InvalidDataException($"tokenizer.json: the BPE merge '{text}' is not two tokens.");
                list.Add((text[..space], text[(space + 1)..]));
            }
        }
        return list;
    }

    private static bool Flag(JsonElement node, string name) => node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public override void Encode(string word, List<int> ids)
    {
        if (word.Length == 0) return;
        if (_ignoreMerges && _vocab.TryGetValue(word, out var whole))
        {
            ids.Add(whole);
            return;
        }
        var symbols = new List<int>(word.Length);
        var previousUnknown = false;
        for (var i = 0; i < word.Length; i += char.IsSurrogatePair(word, i) ? 2 : 1)
        {
            var character = word.Substring(i, char.IsSurrogatePair(word, i) ? 2 : 1);
            if (_vocab.TryGetValue(character, out var id))
            {
                symbols.Add(id);
                previousUnknown = false;
                continue;
            }
            if (_byteIds is not null)
            {
                var bytes = Encoding.UTF8.GetBytes(character);
                if (bytes.All(b => _byteIds[b] >= 0))
                {
                    foreach (var b in bytes) symbols.Add(_byteIds[b]);
                    previousUnknown = false;
                    continue;
                }
            }
            if (_unkId is not { } unk)
                throw new InvalidDataException($"The tokenizer has no token for '{character}' and no unk_token.");
            if (!(_fuseUnk && previousUnknown)) symbols.Add(unk);
            previousUnknown = true;
        }
        MergeAll(symbols);
        ids.AddRange(symbols);
    }

    /// <summary>Merges in place, by (rank, position) as the library's priority queue orders them.</summary>
    private void MergeAll(List<int> symbols)
    {
        var count = symbols.Count;
        if (count < 2) return;
        var next = new int[count];
        var prev = new int[count];
        var alive = new bool[count];
        for (var i = 0; i < count; i++) (next[i], prev[i], alive[i]) = (i + 1 < count ? i + 1 : -1, i - 1, true);
        var queue = new PriorityQueue<(int Position, int NewId), (int Rank, int Position)>();
        for (var i = 0; i + 1 < count; i++)
        {
            if (_merges.TryGetValue(Key(symbols[i], symbols[i + 1]), out var m)) queue.Enqueue((i, m.NewId), (m.Rank, i));
        }
        while (queue.TryDequeue(out var top, out _))
        {
            var at = top.Position;
            if (!alive[at] || next[at] < 0) continue;
            var right = next[at];
            if (!_merges.TryGetValue(Key(symbols[at], symbols[right]), out var current) || current.NewId != top.NewId) continue;
            symbols[at] = top.NewId;
            alive[right] = false;
            next[at] = next[right];
            if (next[right] >= 0) prev[next[right]] = at;
            if (prev[at] >= 0 && _merges.TryGetValue(Key(symbols[prev[at]], symbols[at]), out var before))
                queue.Enqueue((prev[at], before.NewId), (before.Rank, prev[at]));
            if (next[at] >= 0 && _merges.TryGetValue(Key(symbols[at], symbols[next[at]]), out var after))
                queue.Enqueue((at, after.NewId), (after.Rank, at));
        }
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            if (alive[i]) symbols[kept++] = symbols[i];
        }
        symbols.RemoveRange(kept, count - kept);
    }
}
