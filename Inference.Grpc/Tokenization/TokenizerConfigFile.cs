using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// What tokenizer_config.json changes in a tokenizer read from tokenizer.json. transformers' LlamaTokenizerFast and
/// GemmaTokenizerFast rebuild the post-processor from add_bos_token/add_eos_token when loading; other classes keep
/// tokenizer.json's own post-processor. Done here so a raw prompt gets exactly the BOS transformers gives it.
/// </summary>
public static class TokenizerConfigFile
{
    public const string FileName = "tokenizer_config.json";

    private static readonly HashSet<string> ClassesThatRebuildPostProcessor = new(StringComparer.Ordinal)
    {
        "LlamaTokenizer", "LlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast", "CodeLlamaTokenizer", "CodeLlamaTokenizerFast",
    };

    public static TokenizerPipeline ApplyBosEos(TokenizerPipeline pipeline, string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path)) return pipeline;
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var root = config.RootElement;
        if (!root.TryGetProperty("tokenizer_class", out var cls) || cls.GetString() is not { } name || !ClassesThatRebuildPostProcessor.Contains(name))
            return pipeline;
        var addBos = !root.TryGetProperty("add_bos_token", out var bos) || bos.ValueKind == JsonValueKind.True;
        var addEos = root.TryGetProperty("add_eos_token", out var eos) && eos.ValueKind == JsonValueKind.True;
        return pipeline.WithPostProcessor(new PostProcessor(
            addBos ? [TokenId(pipeline, root, "bos_token")] : [],
            addEos ? [TokenId(pipeline, root, "eos_token")] : []));
    }

    private static int TokenId(TokenizerPipeline pipeline, JsonElement root, string name)
    {
        var value = root.TryGetProperty(name, out var token) ? token : default;
        var text = value.ValueKind == JsonValueKind.Object ? value.GetProperty("content").GetString() : value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return text is not null && pipeline.SpecialTokens.TryGetValue(text, out var id) ? id
            : throw new InvalidDataException($"{FileName}: {name} '{text}' is not an added token of tokenizer.json.");
    }
}
