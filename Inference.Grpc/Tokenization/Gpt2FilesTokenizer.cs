using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// The fallback for a model folder without tokenizer.json: a byte-level BPE in GPT-2's files (vocab.json + merges.txt,
/// special tokens from tokenizer_config.json's added_tokens_decoder), encoded by Microsoft.ML.Tokenizers' BpeTokenizer
/// with GPT-2's split. The shipped tiny models were exported this way; their ids must not change.
/// </summary>
public sealed class Gpt2FilesTokenizer
{
    /// <summary>GPT-2's pre-tokenizer.</summary>
    internal const string Gpt2Pattern = ByteLevel.Gpt2Pattern;

    private readonly BpeTokenizer _bpe;
    // The same BPE without special tokens: text that merely spells "<|im_start|>" stays text (chat content).
    private readonly BpeTokenizer _plain;
    private readonly Regex? _specialPattern;

    private Gpt2FilesTokenizer(BpeTokenizer bpe, BpeTokenizer plain, IReadOnlyDictionary<string, int> specialTokens)
    {
        _bpe = bpe;
        _plain = plain;
        SpecialTokens = specialTokens;
        var size = Math.Max(bpe.Vocabulary.Values.DefaultIfEmpty(-1).Max(), specialTokens.Values.DefaultIfEmpty(-1).Max()) + 1;
        TokenBytes = new byte[size][];
        IsSpecial = new bool[size];
        foreach (var (token, id) in bpe.Vocabulary)
        {
            // Not a byte-level symbol (an added token in vocab.json): its text as UTF-8.
            TokenBytes[id] = ByteLevel.Decode(token) ?? Encoding.UTF8.GetBytes(token);
        }
        foreach (var (token, id) in specialTokens)
        {
            TokenBytes[id] = Encoding.UTF8.GetBytes(token);
            IsSpecial[id] = true;
        }
        // Longest first, so a token that starts another is not cut short.
        _specialPattern = specialTokens.Count == 0 ? null
            : new Regex(string.Join("|", specialTokens.Keys.OrderByDescending(t => t.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
    }

    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>Each id's bytes (a special token: its text); empty where the id is unused.</summary>
    public byte[]?[] TokenBytes { get; }

    public bool[] IsSpecial { get; }

    public static bool CanLoad(string directory) =>
        File.Exists(Path.Combine(directory, "vocab.json")) && File.Exists(Path.Combine(directory, "merges.txt"));

    public static Gpt2FilesTokenizer Load(string directory)
    {
        var vocabPath = Path.Combine(directory, "vocab.json");
        var mergesPath = Path.Combine(directory, "merges.txt");
        var special = ReadSpecialTokens(directory);
        var pattern = new Regex(Gpt2Pattern, RegexOptions.Compiled);
        var options = new BpeOptions(vocabPath, mergesPath)
        {
            ByteLevel = true,
            SpecialTokens = special,
            PreTokenizer = new RegexPreTokenizer(pattern, special),
        };
        var plain = new BpeOptions(vocabPath, mergesPath) { ByteLevel = true, PreTokenizer = new RegexPreTokenizer(pattern, null) };
        return new Gpt2FilesTokenizer(BpeTokenizer.Create(options), BpeTokenizer.Create(plain), special);
    }

    /// <summary>Where a text spells the special tokens, in order.</summary>
    public IEnumerable<(int Index, int Length, int Id)> FindSpecialTokens(string text)
    {
        if (_specialPattern is null) yield break;
        foreach (Match match in _specialPattern.Matches(text))
        {
            yield return (match.Index, match.Length, SpecialTokens[match.Value]);
        }
    }

    public IReadOnlyList<int> Encode(string text, bool specialTokens, int maxTokens, out bool complete)
    {
        var ids = (specialTokens ? _bpe : _plain).EncodeToIds(text, maxTokens, out _, out var consumed);
        complete = consumed >= text.Length;
        return ids;
    }

    private static Dictionary<string, int> ReadSpecialTokens(string directory)
    {
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        var configPath = Path.Combine(directory, TokenizerConfigFile.FileName);
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
        return special;
    }
}
