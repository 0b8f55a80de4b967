using System.Text.Json;

namespace MlStack.Inference.Repository;

/// <summary>
/// The genai_config.json that onnxruntime-genai's model builder writes beside its model: the graph's file and tensor
/// names, the context length, the end tokens, the search (generation) defaults and whether past and present share one
/// max-length buffer. Only the fields the server uses are read; the rest (session_options, provider options) are the
/// genai runtime's own.
/// </summary>
public sealed record GenaiConfig(
    string FileName,
    int ContextLength,
    IReadOnlyList<int> EosTokenIds,
    bool PastPresentShareBuffer,
    string InputIdsName,
    string AttentionMaskName,
    string PastKeyNames,
    string PastValueNames,
    string LogitsName,
    string PresentKeyNames,
    string PresentValueNames,
    GenaiSearchDefaults Search)
{
    public const string FileNameInFolder = "genai_config.json";

    /// <summary>The folder's genai_config.json, or null when it has none (an Optimum export).</summary>
    public static GenaiConfig? Read(string directory)
    {
        var path = Path.Combine(directory, FileNameInFolder);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var model = Required(json.RootElement, "model");
            var decoder = Required(model, "decoder");
            var inputs = decoder.TryGetProperty("inputs", out var i) ? i : default;
            var outputs = decoder.TryGetProperty("outputs", out var o) ? o : default;
            var search = json.RootElement.TryGetProperty("search", out var s) ? s : default;
            var eos = new List<int>();
            if (model.TryGetProperty("eos_token_id", out var e))
            {
                if (e.ValueKind == JsonValueKind.Number) eos.Add(e.GetInt32());
                else if (e.ValueKind == JsonValueKind.Array) eos.AddRange(e.EnumerateArray().Select(id => id.GetInt32()));
            }
            var context = Int(model, "context_length") ?? throw new InvalidDataException("model.context_length is missing.");
            return new GenaiConfig(
                Text(decoder, "filename") ?? ModelVersionFolders.ModelFileName,
                context,
                eos,
                search.ValueKind == JsonValueKind.Object && search.TryGetProperty("past_present_share_buffer", out var share) && share.ValueKind == JsonValueKind.True,
                Text(inputs, "input_ids") ?? "input_ids",
                Text(inputs, "attention_mask") ?? "attention_mask",
                Text(inputs, "past_key_names") ?? "past_key_values.%d.key",
                Text(inputs, "past_value_names") ?? "past_key_values.%d.value",
                Text(outputs, "logits") ?? "logits",
                Text(outputs, "present_key_names") ?? "present.%d.key",
                Text(outputs, "present_value_names") ?? "present.%d.value",
                new GenaiSearchDefaults(
                    search.ValueKind == JsonValueKind.Object && search.TryGetProperty("do_sample", out var sample) ? sample.ValueKind == JsonValueKind.True : null,
                    Float(search, "temperature"),
                    Float(search, "top_p"),
                    Int(search, "top_k"),
                    Float(search, "repetition_penalty"),
                    Int(search, "max_length")));
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"{FileNameInFolder} cannot be read: {error.Message}", error);
        }
    }

    private static JsonElement Required(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : throw new InvalidDataException($"'{name}' is missing.");

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    private static float? Float(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetSingle() : null;
}

/// <summary>genai_config.json's "search" values the server takes as the model's generation defaults (null: not given).</summary>
public sealed record GenaiSearchDefaults(bool? DoSample, float? Temperature, float? TopP, int? TopK, float? RepetitionPenalty, int? MaxLength);
