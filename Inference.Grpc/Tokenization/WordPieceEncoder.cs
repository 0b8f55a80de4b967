using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// BERT-family tokenizers (bge, e5, gte, MiniLM): BertNormalizer + BertPreTokenizer + WordPiece, which
/// Microsoft.ML.Tokenizers' BertTokenizer implements as a whole (basic tokenization, then WordPiece), fed with
/// tokenizer.json's vocabulary. Only that combination is taken: other normalizers or pre-tokenizers around a WordPiece
/// model, or a normalizer option the library has no switch for, are refused.
/// </summary>
public sealed class WordPieceEncoder : TokenModel, ITextEncoder
{
    private readonly BertTokenizer _bert;
    private readonly Dictionary<string, int> _vocab;
    private readonly string[] _tokens;

    private WordPieceEncoder(BertTokenizer bert, Dictionary<string, int> vocab, string[] tokens) => (_bert, _vocab, _tokens) = (bert, vocab, tokens);

    public override IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public override string? IdToToken(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : null;

    public override void Encode(string word, List<int> ids) => ids.AddRange(_bert.EncodeToIds(word, addSpecialTokens: false));

    public void Encode(string text, bool atStart, bool skipSpecial, List<int> ids) => ids.AddRange(_bert.EncodeToIds(text, addSpecialTokens: false));

    public static WordPieceEncoder Read(JsonElement model, JsonElement normalizer, JsonElement preTokenizer, IReadOnlyList<AddedToken> added)
    {
        if (normalizer.ValueKind != JsonValueKind.Object || TokenizerJson.TypeOf(normalizer, "normalizer") != "BertNormalizer")
            throw TokenizerJson.Unsupported("normalizer for a WordPiece model", normalizer.ValueKind == JsonValueKind.Object ? TokenizerJson.TypeOf(normalizer, "normalizer") : "none");
        if (preTokenizer.ValueKind != JsonValueKind.Object || TokenizerJson.TypeOf(preTokenizer, "pre_tokenizer") != "BertPreTokenizer")
            throw TokenizerJson.Unsupported("pre_tokenizer for a WordPiece model", preTokenizer.ValueKind == JsonValueKind.Object ? TokenizerJson.TypeOf(preTokenizer, "pre_tokenizer") : "none");
        if (!normalizer.GetProperty("clean_text").GetBoolean())
            throw TokenizerJson.Unsupported("BertNormalizer option", "clean_text=false");
        if (added.FirstOrDefault(t => t.Normalized) is { } normalizedToken)
            throw TokenizerJson.Unsupported("added token with normalized=true for a WordPiece model", normalizedToken.Content);
        var lowercase = normalizer.GetProperty("lowercase").GetBoolean();
        var stripAccents = normalizer.TryGetProperty("strip_accents", out var strip) && strip.ValueKind != JsonValueKind.Null ? strip.GetBoolean() : lowercase;
        var prefix = model.TryGetProperty("continuing_subword_prefix", out var p) ? p.GetString()! : "##";
        var maxChars = model.TryGetProperty("max_input_chars_per_word", out var m) ? m.GetInt32() : 100;
        if (prefix != "##" || maxChars != 100)
            throw TokenizerJson.Unsupported("WordPiece option", $"continuing_subword_prefix={prefix}, max_input_chars_per_word={maxChars}");

        var vocab = TokenizerJson.ReadVocabulary(model.GetProperty("vocab"));
        // BertTokenizer reads vocab.txt, one token a line, the line number its id: the ids must be 0..n-1.
        var tokens = new string[vocab.Count];
        foreach (var (token, id) in vocab)
        {
            if ((uint)id >= (uint)tokens.Length || tokens[id] is not null)
                throw new InvalidDataException("tokenizer.json: the WordPiece vocabulary's ids are not 0..n-1.");
            if (token.Contains('\n') || token.Contains('\r'))
                throw new InvalidDataException("tokenizer.json: a WordPiece token holds a line break.");
            tokens[id] = token;
        }
        using var lines = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', tokens) + "\n"));
        var unk = model.GetProperty("unk_token").GetString()!;
        var bert = BertTokenizer.Create(lines, new BertOptions
        {
            LowerCaseBeforeTokenization = lowercase,
            IndividuallyTokenizeCjk = normalizer.GetProperty("handle_chinese_chars").GetBoolean(),
            RemoveNonSpacingMarks = stripAccents,
            ApplyBasicTokenization = true,
            UnknownToken = unk,
        });
        return new WordPieceEncoder(bert, vocab, tokens);
    }
}
