using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace MlStack.Inference.Generation;

/// <summary>
/// A byte-level BPE tokenizer loaded from a model's own GPT-2 style files (vocab.json + merges.txt, special
/// tokens from tokenizer_config.json / tokenizer.json). Encoding is Microsoft.ML.Tokenizers' BpeTokenizer;
/// decoding maps tokens back to raw bytes so the stream can hold back unfinished UTF-8 characters.
/// </summary>
public sealed class ModelTokenizer
{
    /// <summary>GPT-2's pre-tokenizer; models that split differently say so in tokenizer.json.</summary>
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly Dictionary<char, byte> UnicodeToByte = BuildByteDecoder();

    private readonly BpeTokenizer _bpe;
    // The same BPE without special tokens: text that merely spells "<|im_start|>" stays text (chat content).
    private readonly BpeTokenizer _plain;
    private readonly byte[][] _tokenBytes;
    private readonly bool[] _isSpecial;
    private readonly Regex? _specialPattern;

    private ModelTokenizer(BpeTokenizer bpe, BpeTokenizer plain, IReadOnlyDictionary<string, int> specialTokens)
    {
        _bpe = bpe;
        _plain = plain;
        SpecialTokens = specialTokens;
        var size = Math.Max(bpe.Vocabulary.Values.DefaultIfEmpty(-1).Max(), specialTokens.Values.DefaultIfEmpty(-1).Max()) + 1;
        _tokenBytes = new byte[size][];
        _isSpecial = new bool[size];
        foreach (var (token, id) in bpe.Vocabulary)
        {
            _tokenBytes[id] = ToBytes(token);
        }
        foreach (var (token, id) in specialTokens)
        {
            _tokenBytes[id] = Encoding.UTF8.GetBytes(token);
            _isSpecial[id] = true;
        }
        // Longest first, so a token that starts another is not cut short.
        _specialPattern = specialTokens.Count == 0 ? null
            : new Regex(string.Join("|", specialTokens.Keys.OrderByDescending(t => t.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
    }

    /// <summary>Where a text spells the special tokens (a chat template's own text), in order.</summary>
    public IEnumerable<(int Index, int Length, int Id)> FindSpecialTokens(string text)
    {
        if (_specialPattern is null) yield break;
        foreach (Match match in _specialPattern.Matches(text))
        {
            yield return (match.Index, match.Length, SpecialTokens[match.Value]);
        }
    }

    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>One past the highest token id the tokenizer knows.</summary>
    public int Count => _tokenBytes.Length;

    public static ModelTokenizer Load(string directory)
    {
        var vocabPath = Path.Combine(directory, "vocab.json");
        var mergesPath = Path.Combine(directory, "merges.txt");
        if (!File.Exists(vocabPath) || !File.Exists(mergesPath))
        {
            throw new InvalidDataException(
                $"'{directory}' has no vocab.json + merges.txt: only byte-level BPE tokenizers in GPT-2's files are supported (GPT-2, Qwen2, SmolLM2 exports). " +
                "Llama 3.x exports carry theirs only in tokenizer.json; Phi-3, Llama 2 and Mistral use SentencePiece (tokenizer.model).");
        }
        var special = ReadSpecialTokens(directory);
        var pattern = new Regex(ReadPreTokenizerPattern(directory) ?? Gpt2Pattern, RegexOptions.Compiled);
        var options = new BpeOptions(vocabPath, mergesPath)
        {
            ByteLevel = true,
            SpecialTokens = special,
            PreTokenizer = new RegexPreTokenizer(pattern, special),
        };
        var plain = new BpeOptions(vocabPath, mergesPath) { ByteLevel = true, PreTokenizer = new RegexPreTokenizer(pattern, null) };
        return new ModelTokenizer(BpeTokenizer.Create(options), BpeTokenizer.Create(plain), special);
    }

    /// <summary>Text in which spelled special tokens are control tokens (a raw prompt, a chat template's own text).</summary>
    public IReadOnlyList<int> Encode(string text) => _bpe.EncodeToIds(text);

    /// <summary>
    /// Encodes at most <paramref name="maxTokens"/> tokens and stops there (a prompt far over the context is not
    /// tokenized in full); <paramref name="complete"/> says whether the whole text fitted.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool specialTokens, int maxTokens, out bool complete)
    {
        var ids = (specialTokens ? _bpe : _plain).EncodeToIds(text, maxTokens, out _, out var consumed);
        complete = consumed >= text.Length;
        return ids;
    }

    public bool IsSpecial(int id) => (uint)id < (uint)_isSpecial.Length && _isSpecial[id];

    /// <summary>The raw bytes a token stands for (a special token: its text).</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) =>
        (uint)id < (uint)_tokenBytes.Length && _tokenBytes[id] is { } bytes ? bytes : [];

    /// <summary>Whole-sequence decoding, skipping special tokens.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (!IsSpecial(id))
            {
                bytes.AddRange(TokenBytes(id).ToArray());
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static byte[] ToBytes(string token)
    {
        var bytes = new byte[token.Length];
        for (var i = 0; i < token.Length; i++)
        {
            if (!UnicodeToByte.TryGetValue(token[i], out bytes[i]))
            {
                // Not a byte-level symbol (an added token in vocab.json): its text as UTF-8.
                return Encoding.UTF8.GetBytes(token);
            }
        }
        return bytes;
    }

    /// <summary>GPT-2's reversible map of the 256 byte values onto printable characters, inverted.</summary>
    private static Dictionary<char, byte> BuildByteDecoder()
    {
        var printable = new List<int>();
        for (var c = '!'; c <= '~'; c++) printable.Add(c);
        for (var c = '¡'; c <= '¬'; c++) printable.Add(c);
        for (var c = '®'; c <= 'ÿ'; c++) printable.Add(c);
        var map = new Dictionary<char, byte>();
        var extra = 0;
        for (var b = 0; b < 256; b++)
        {
            map[printable.Contains(b) ? (char)b : (char)(256 + extra++)] = (byte)b;
        }
        return map;
    }

    private static Dictionary<string, int> ReadSpecialTokens(string directory)
    {
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        var configPath = Path.Combine(directory, "tokenizer_config.json");
        if (File.Exists(configPath))
        {
            using var config = JsonDocument.Parse(File.ReadAllText(configPath));
            if (config.RootElement.TryGetProperty("added_tokens_decoder", out var added) && added.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in added.EnumerateObject())
                {
                    if (int.TryParse(entry.Name, out var id) && entry.Value.TryGetProperty("content", out var content))
                    {
                        special[content.GetString()!] = id;
                    }
                }
            }
        }
        var tokenizerPath = Path.Combine(directory, "tokenizer.json");
        if (File.Exists(tokenizerPath))
        {
            using var tokenizer = JsonDocument.Parse(File.ReadAllText(tokenizerPath));
            if (tokenizer.RootElement.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            {
                foreach (var token in added.EnumerateArray())
                {
                    special[token.GetProperty("content").GetString()!] = token.GetProperty("id").GetInt32();
                }
            }
        }
        return special;
    }

    /// <summary>The Split regex of tokenizer.json's pre_tokenizer (Qwen2 and Llama 3 differ from GPT-2).</summary>
    private static string? ReadPreTokenizerPattern(string directory)
    {
        var tokenizerPath = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(tokenizerPath))
        {
            return null;
        }
        using var tokenizer = JsonDocument.Parse(File.ReadAllText(tokenizerPath));
        return tokenizer.RootElement.TryGetProperty("pre_tokenizer", out var pre) ? FindSplitRegex(pre) : null;
    }

    private static string? FindSplitRegex(JsonElement node)
    {
        if (node.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        if (node.TryGetProperty("type", out var type) && type.GetString() == "Split"
            && node.TryGetProperty("pattern", out var pattern) && pattern.TryGetProperty("Regex", out var regex))
        {
            return regex.GetString();
        }
        if (node.TryGetProperty("pretokenizers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var child in list.EnumerateArray())
            {
                if (FindSplitRegex(child) is { } found)
                {
                    return found;
                }
            }
        }
        return null;
    }
}
