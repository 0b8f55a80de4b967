using System.Text.Json;
using MlStack.Inference.Repository;

namespace MlStack.Inference.Generation;

/// <summary>
/// A model's own decoding defaults and end tokens: from config.json and generation_config.json (Optimum exports), or,
/// where the folder has a genai_config.json (onnxruntime-genai exports), from its context_length, eos_token_id and
/// "search" values, which win over the other two files (config.json is optional there).
/// </summary>
public sealed record GenerationDefaults(
    int ContextLength,
    IReadOnlySet<int> EosTokenIds,
    int? MaxNewTokens,
    bool DoSample,
    float Temperature,
    float TopP,
    int TopK,
    float RepetitionPenalty)
{
    public static GenerationDefaults Read(string directory, ModelTokenizer tokenizer, GenaiConfig? genai = null)
    {
        using var config = ReadJson(Path.Combine(directory, "config.json"));
        if (config is null && genai is null)
        {
            throw new InvalidDataException($"'{directory}' has no config.json.");
        }
        using var none = config is null ? JsonDocument.Parse("{}") : null;
        var files = ReadFiles(directory, tokenizer, config ?? none!, contextRequired: genai is null);
        return genai is null ? files : FromGenai(genai, files);
    }

    private static GenerationDefaults FromGenai(GenaiConfig genai, GenerationDefaults files)
    {
        var search = genai.Search;
        // search.max_length is onnxruntime-genai's cap on prompt plus generated tokens: the context the server allows.
        var context = search.MaxLength is > 0 and var max ? Math.Min(max, genai.ContextLength) : genai.ContextLength;
        return new GenerationDefaults(
            context,
            genai.EosTokenIds.Count > 0 ? genai.EosTokenIds.ToHashSet() : files.EosTokenIds,
            files.MaxNewTokens,
            search.DoSample ?? files.DoSample,
            search.Temperature ?? files.Temperature,
            search.TopP ?? files.TopP,
            search.TopK ?? files.TopK,
            search.RepetitionPenalty ?? files.RepetitionPenalty);
    }

    private static GenerationDefaults ReadFiles(string directory, ModelTokenizer tokenizer, JsonDocument config, bool contextRequired)
    {
        using var generation = ReadJson(Path.Combine(directory, "generation_config.json"));
        var c = config.RootElement;
        var context = Int(c, "max_position_embeddings") ?? Int(c, "n_positions") ?? Int(c, "n_ctx") ?? (contextRequired ? (int?)null : 0)
            ?? throw new InvalidDataException("config.json gives no context length (max_position_embeddings or n_positions).");

        var eos = new HashSet<int>();
        AddIds(eos, c, "eos_token_id");
        var g = generation?.RootElement;
        if (g is { } gen)
        {
            AddIds(eos, gen, "eos_token_id");
        }
        if (eos.Count == 0 && tokenizer.SpecialTokens.TryGetValue("<|endoftext|>", out var endOfText))
        {
            eos.Add(endOfText);
        }
        return new GenerationDefaults(
            context,
            eos,
            g is { } a ? Int(a, "max_new_tokens") : null,
            g is { } b && b.TryGetProperty("do_sample", out var sample) && sample.ValueKind == JsonValueKind.True,
            g is { } t ? Float(t, "temperature") ?? 1f : 1f,
            g is { } p ? Float(p, "top_p") ?? 1f : 1f,
            g is { } k ? Int(k, "top_k") ?? 0 : 0,
            g is { } r ? Float(r, "repetition_penalty") ?? 1f : 1f);
    }

    private static JsonDocument? ReadJson(string path) => File.Exists(path) ? JsonDocument.Parse(File.ReadAllText(path)) : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    private static float? Float(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : null;

    private static void AddIds(HashSet<int> ids, JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return;
        }
        if (v.ValueKind == JsonValueKind.Number)
        {
            ids.Add(v.GetInt32());
        }
        else if (v.ValueKind == JsonValueKind.Array)
        {
            foreach (var id in v.EnumerateArray())
            {
                ids.Add(id.GetInt32());
            }
        }
    }
}
