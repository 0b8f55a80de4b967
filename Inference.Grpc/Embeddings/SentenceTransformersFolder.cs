using System.Text.Json;

namespace MlStack.Inference.Embeddings;

/// <summary>
/// What a sentence-transformers model folder says beyond the ONNX graph, read when the model loads: the pooling of
/// 1_Pooling/config.json (mean, CLS or last token), whether modules.json ends with a Normalize module, and the
/// prompts of config_sentence_transformers.json ("query": "query: ") with the default one. A module or pooling mode the
/// server does not compute (max pooling, a Dense layer, ...) fails the load naming it: the vectors would be wrong.
/// </summary>
public sealed record SentenceTransformersFolder(string Pooling, bool Normalize, IReadOnlyDictionary<string, string> Prompts, string? DefaultPromptName)
{
    public const string ModulesFile = "modules.json";
    public const string PromptsFile = "config_sentence_transformers.json";

    /// <summary>The folder's settings, or null when it has no modules.json (model.json's pooling applies then).</summary>
    public static SentenceTransformersFolder? Load(string directory)
    {
        var modulesPath = Path.Combine(directory, ModulesFile);
        if (!File.Exists(modulesPath)) return null;
        string? pooling = null;
        var normalize = false;
        using (var modules = JsonDocument.Parse(File.ReadAllText(modulesPath)))
        {
            foreach (var module in modules.RootElement.EnumerateArray())
            {
                var type = module.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
                var path = module.TryGetProperty("path", out var p) ? p.GetString() ?? "" : "";
                switch (type[(type.LastIndexOf('.') + 1)..])
                {
                    case "Transformer":
                        break;
                    case "Pooling":
                        pooling = ReadPooling(Path.Combine(directory, path, "config.json"));
                        break;
                    case "Normalize":
                        normalize = true;
                        break;
                    default:
                        throw new InvalidDataException($"{ModulesFile} has the module '{type}', which this server does not compute (it runs Transformer, Pooling and Normalize).");
                }
            }
        }
        if (pooling is null) throw new InvalidDataException($"{ModulesFile} has no Pooling module: the vector of a text is not defined.");

        var prompts = new Dictionary<string, string>(StringComparer.Ordinal);
        string? defaultPrompt = null;
        var promptsPath = Path.Combine(directory, PromptsFile);
        if (File.Exists(promptsPath))
        {
            using var config = JsonDocument.Parse(File.ReadAllText(promptsPath));
            if (config.RootElement.TryGetProperty("prompts", out var list) && list.ValueKind == JsonValueKind.Object)
            {
                foreach (var prompt in list.EnumerateObject()) prompts[prompt.Name] = prompt.Value.GetString() ?? "";
            }
            if (config.RootElement.TryGetProperty("default_prompt_name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                defaultPrompt = name.GetString();
                if (!prompts.ContainsKey(defaultPrompt!)) throw new InvalidDataException($"{PromptsFile} names the default prompt '{defaultPrompt}', which it does not define.");
            }
        }
        return new SentenceTransformersFolder(pooling, normalize, prompts, defaultPrompt);
    }

    private static string ReadPooling(string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"The Pooling module has no {Path.GetFileName(Path.GetDirectoryName(path))}/config.json.");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var on = config.RootElement.EnumerateObject()
            .Where(p => p.Name.StartsWith("pooling_mode_", StringComparison.Ordinal) && p.Value.ValueKind == JsonValueKind.True)
            .Select(p => p.Name["pooling_mode_".Length..]).ToList();
        return on switch
        {
            ["mean_tokens"] => "mean",
            ["cls_token"] => "cls",
            ["lasttoken"] => "last_token",
            _ => throw new InvalidDataException(
                $"1_Pooling/config.json turns on {(on.Count == 0 ? "no pooling mode" : string.Join(" + ", on))}; this server computes exactly one of mean_tokens, cls_token, lasttoken."),
        };
    }
}
