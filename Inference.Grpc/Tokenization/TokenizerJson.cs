using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// Reads a HuggingFace tokenizer.json (the file every model on the hub ships) into a <see cref="TokenizerPipeline"/>.
/// Every component is read here and checked: one this server does not implement exactly is refused with a single line
/// naming it (an <see cref="InvalidDataException"/>), so the model fails to load alone instead of getting other ids.
/// </summary>
public static class TokenizerJson
{
    public const string FileName = "tokenizer.json";

    /// <summary>
    /// Loads <paramref name="directory"/>/tokenizer.json, with tokenizer_config.json's add_bos_token/add_eos_token applied
    /// where transformers applies them (the Llama and Gemma tokenizer classes rebuild their post-processor from them).
    /// </summary>
    public static TokenizerPipeline Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { MaxDepth = 256 });
        var root = document.RootElement;
        try
        {
            var pipeline = Read(root);
            return TokenizerConfigFile.ApplyBosEos(pipeline, directory);
        }
        catch (KeyNotFoundException ex)
        {
            throw new InvalidDataException($"{path}: a component lacks a field it needs ({ex.Message})", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"{path}: a field has an unexpected type ({ex.Message})", ex);
        }
    }

    public static TokenizerPipeline Read(JsonElement root)
    {
        if (root.TryGetProperty("truncation", out var truncation) && truncation.ValueKind != JsonValueKind.Null)
            throw Unsupported("truncation", "set in the file (the server truncates by the model's context)");
        var added = root.TryGetProperty("added_tokens", out var list) ? list.EnumerateArray().Select(AddedToken.Read).ToList() : [];
        var model = root.GetProperty("model");
        var modelType = model.TryGetProperty("type", out var t) ? t.GetString() : model.TryGetProperty("merges", out _) ? "BPE" : null;
        var normalizer = Get(root, "normalizer");
        var preTokenizer = Get(root, "pre_tokenizer");
        var post = PostProcessor.Read(Get(root, "post_processor"));
        var decoder = TokenDecoder.Read(Get(root, "decoder"));
        switch (modelType)
        {
            case "BPE":
                var bpe = BpeModel.Read(model);
                added = WithVocabularyIds(added, bpe);
                return new TokenizerPipeline(new PieceEncoder(TextNormalizer.Read(normalizer), PreTokenizer.Read(preTokenizer), bpe, added), bpe,
                    added, post, decoder);
            case "WordPiece":
                var wordPiece = WordPieceModel.Read(model);
                added = WithVocabularyIds(added, wordPiece);
                return new TokenizerPipeline(new PieceEncoder(TextNormalizer.Read(normalizer), PreTokenizer.Read(preTokenizer), wordPiece, added), wordPiece,
                    added, post, decoder);
            case "Unigram":
                var unigram = UnigramModel.Read(model);
                added = WithVocabularyIds(added, unigram);
                return new TokenizerPipeline(new PieceEncoder(TextNormalizer.Read(normalizer), PreTokenizer.Read(preTokenizer), unigram, added), unigram,
                    added, post, decoder);
            default:
                throw Unsupported("model", modelType);
        }
    }

    /// <summary>As the library loads them: an added token whose text is in the model's vocabulary has the vocabulary's id.</summary>
    private static List<AddedToken> WithVocabularyIds(List<AddedToken> added, TokenModel model) =>
        [.. added.Select(t => model.Vocabulary.TryGetValue(t.Content, out var id) && id != t.Id ? t with { Id = id } : t)];

    private static JsonElement Get(JsonElement root, string name) => root.TryGetProperty(name, out var value) ? value : default;

    internal static string TypeOf(JsonElement node, string component) =>
        node.TryGetProperty("type", out var type) && type.GetString() is { } name ? name
        : throw new InvalidDataException($"tokenizer.json: a {component} has no type.");

    internal static InvalidDataException Unsupported(string component, string? type) =>
        new($"tokenizer.json: unsupported {component} '{type}'.");

    /// <summary>A Replace's pattern, which must be a plain string (regex patterns are refused).</summary>
    internal static string StringPattern(JsonElement node, string component)
    {
        var pattern = node.GetProperty("pattern");
        return pattern.TryGetProperty("String", out var literal) ? literal.GetString()!
            : throw Unsupported($"{component} pattern", pattern.GetRawText());
    }

    internal static Dictionary<string, int> ReadVocabulary(JsonElement vocab)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject()) map[entry.Name] = entry.Value.GetInt32();
        return map;
    }
}
