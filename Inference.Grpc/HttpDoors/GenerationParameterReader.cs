using System.Text.Json;
using MlStack.Inference.Generation;

namespace MlStack.Inference.HttpDoors;

/// <summary>
/// Sampling parameters from a JSON object, under the names each door's users write: OpenAI (max_tokens,
/// max_completion_tokens), Hugging Face TGI (max_new_tokens, do_sample, repetition_penalty) and Vertex AI
/// (maxOutputTokens, topP, topK, stopSequences). Ranges are checked once, by the generator's validator, as for gRPC.
/// </summary>
public static class GenerationParameterReader
{
    public static RequestedParameters Read(JsonElement? parameters)
    {
        if (parameters is not { } p)
        {
            return new RequestedParameters();
        }
        JsonFields.RequireObject(p, "'parameters'");
        var temperature = p.Number("temperature");
        // Hugging Face's do_sample=false is greedy decoding.
        if (p.Boolean("do_sample") == false)
        {
            temperature = 0;
        }
        var maxCompletion = ToInt(p, "max_completion_tokens");
        var maxTokens = ToInt(p, "max_tokens", "max_new_tokens", "maxOutputTokens", "max_output_tokens");
        if (maxCompletion is not null && maxTokens is not null && maxCompletion != maxTokens)
        {
            // OpenAI's newer name and the older one (or another door's) given with different values: which is meant is unclear.
            throw HttpDoorException.BadRequest(
                $"'max_completion_tokens' ({maxCompletion}) and '{p.GetAny("max_tokens", "max_new_tokens", "maxOutputTokens", "max_output_tokens")!.Value.Name}' ({maxTokens}) differ; give one.",
                "max_completion_tokens");
        }
        return new RequestedParameters
        {
            MaxNewTokens = maxCompletion ?? maxTokens,
            Temperature = (float?)temperature,
            TopP = (float?)p.Number("top_p", "topP"),
            TopK = ToInt(p, "top_k", "topK"),
            RepetitionPenalty = (float?)p.Number("repetition_penalty", "repetitionPenalty"),
            // Any 64-bit seed is accepted; negative ones keep their bits.
            Seed = p.Integer("seed") is { } seed ? unchecked((ulong)seed) : null,
            Stop = p.StringOrStrings("stop", "stop_sequences", "stopSequences") ?? [],
            IgnoreEos = p.Boolean("ignore_eos") ?? false,
            PresencePenalty = (float?)p.Number("presence_penalty", "presencePenalty"),
            FrequencyPenalty = (float?)p.Number("frequency_penalty", "frequencyPenalty"),
            LogitBias = ReadLogitBias(p),
        };
    }

    /// <summary>OpenAI's logit_bias: an object from token ids (written as strings) to numbers.</summary>
    private static Dictionary<int, float>? ReadLogitBias(JsonElement p)
    {
        if (p.Get("logit_bias") is not { } bias)
        {
            return null;
        }
        if (bias.ValueKind != JsonValueKind.Object)
        {
            throw JsonFields.WrongType("logit_bias", "an object from token ids to numbers from -100 to 100");
        }
        var result = new Dictionary<int, float>();
        foreach (var entry in bias.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                throw HttpDoorException.BadRequest($"'logit_bias' has the key '{entry.Name}'; keys are token ids (non-negative integers).", "logit_bias");
            }
            if (entry.Value.ValueKind != JsonValueKind.Number)
            {
                throw HttpDoorException.BadRequest($"'logit_bias' maps token {id} to a {entry.Value.ValueKind}; give a number from -100 to 100.", "logit_bias");
            }
            result[id] = entry.Value.GetSingle();
        }
        return result;
    }

    private static int? ToInt(JsonElement p, params string[] names)
    {
        var value = p.Integer(names);
        return value switch
        {
            null => null,
            < int.MinValue or > int.MaxValue => throw HttpDoorException.BadRequest($"'{p.GetAny(names)!.Value.Name}' is out of range.", p.GetAny(names)!.Value.Name),
            _ => (int)value,
        };
    }
}
