using System.Text;
using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// SentencePiece's Unigram model as the HuggingFace library runs it: the segmentation of the word whose pieces' scores
/// sum highest (Viterbi over code points); a character no piece starts with is an unknown piece scored the lowest score
/// less 10, consecutive unknown pieces are fused into one unk id (or spelled as &lt;0xXX&gt; pieces with byte_fallback).
/// Ties keep the earliest-starting piece, as the library does. Written here: Microsoft.ML.Tokenizers 3.0.0's
/// SentencePieceTokenizer.CreateFromTokenizerJson gave other ids than the library on 173 of 268 corpus texts of ALBERT
/// v2's file (a leading space kept as ▁, a trailing newline dropped) and did not fuse runs of unknown characters.
/// </summary>
public sealed class UnigramModel : TokenModel
{
    private const double UnknownPenalty = 10.0;
    private readonly Dictionary<string, int> _vocab = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string[] _pieces;
    private readonly double[] _scores;
    private readonly int _unkId;
    private readonly double _unkScore;
    private readonly bool _byteFallback;
    private readonly int _maxPieceLength;

    public UnigramModel(IReadOnlyList<(string Piece, double Score)> vocab, int? unkId, bool byteFallback)
    {
        if (vocab.Count == 0) throw new InvalidDataException("tokenizer.json: the Unigram vocabulary is empty.");
        _pieces = new string[vocab.Count];
        _scores = new double[vocab.Count];
        var min = double.PositiveInfinity;
        for (var id = 0; id < vocab.Count; id++)
        {
            var (piece, score) = vocab[id];
            (_pieces[id], _scores[id]) = (piece, score);
            _vocab[piece] = id;
            min = Math.Min(min, score);
            _maxPieceLength = Math.Max(_maxPieceLength, piece.Length);
        }
        _lookup = _vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _unkId = unkId is { } unk && (uint)unk < (uint)vocab.Count ? unk
            : throw new InvalidDataException($"tokenizer.json: the Unigram unk_id {unkId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"} is not in the vocabulary.");
        _unkScore = min - UnknownPenalty;
        _byteFallback = byteFallback;
    }

    public static UnigramModel Read(JsonElement model)
    {
        var vocab = new List<(string, double)>();
        foreach (var entry in model.GetProperty("vocab").EnumerateArray()) vocab.Add((entry[0].GetString()!, entry[1].GetDouble()));
        var unk = model.TryGetProperty("unk_id", out var u) && u.ValueKind == JsonValueKind.Number ? u.GetInt32() : (int?)null;
        return new UnigramModel(vocab, unk, model.TryGetProperty("byte_fallback", out var b) && b.GetBoolean());
    }

    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public override string? IdToToken(int id) => (uint)id < (uint)_pieces.Length ? _pieces[id] : null;

    public override void Encode(string word, List<int> ids)
    {
        if (word.Length == 0) return;
        // best[end]: the best segmentation of word[..end] (its score, where its last piece starts, that piece's id).
        var score = new double[word.Length + 1];
        var from = new int[word.Length + 1];
        var piece = new int[word.Length + 1];
        Array.Fill(from, -1);
        for (var start = 0; start < word.Length; start += CharLength(word, start))
        {
            var single = CharLength(word, start);
            var hasSingle = false;
            var longest = Math.Min(_maxPieceLength, word.Length - start);
            for (var length = 1; length <= longest; length++)
            {
                if (!_lookup.TryGetValue(word.AsSpan(start, length), out var id)) continue;
                Relax(start, start + length, id, _scores[id]);
                hasSingle |= length == single;
            }
            if (!hasSingle) Relax(start, start + single, _unkId, _unkScore);
        }

        var tokens = new List<(int Start, int End, int Id)>();
        for (var end = word.Length; end > 0; end = from[end]) tokens.Add((from[end], end, piece[end]));
        tokens.Reverse();
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Id != _unkId)
            {
                ids.Add(tokens[i].Id);
                continue;
            }
            // Consecutive unknown pieces are one token, looked up by its text as the library does.
            var start = tokens[i].Start;
            while (i + 1 < tokens.Count && tokens[i + 1].Id == _unkId) i++;
            AddUnknown(word.AsSpan(start, tokens[i].End - start), ids);
        }

        void Relax(int start, int end, int id, double pieceScore)
        {
            var candidate = score[start] + pieceScore;
            if (from[end] >= 0 && candidate <= score[end]) return;
            (score[end], from[end], piece[end]) = (candidate, start, id);
        }
    }

    private void AddUnknown(ReadOnlySpan<char> text, List<int> ids)
    {
        if (_lookup.TryGetValue(text, out var known))
        {
            ids.Add(known);
            return;
        }
        if (_byteFallback)
        {
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            var byteIds = new List<int>(bytes.Length);
            foreach (var b in bytes)
            {
                if (!_vocab.TryGetValue($"<0x{b:X2}>", out var byteId)) break;
                byteIds.Add(byteId);
            }
            if (byteIds.Count == bytes.Length)
            {
                ids.AddRange(byteIds);
                return;
            }
        }
        ids.Add(_unkId);
    }

    private static int CharLength(string text, int at) => char.IsHighSurrogate(text[at]) && at + 1 < text.Length && char.IsLowSurrogate(text[at + 1]) ? 2 : 1;
}
