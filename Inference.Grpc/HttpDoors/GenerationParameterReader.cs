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
        return new RequestedParameters
        {
            MaxNewTokens = ToInt(p, "max_completion_tokens", "max_tokens", "max_new_tokens", "maxOutputTokens", "max_output_tokens"),
            Temperature = (float?)temperature,
            TopP = (float?)p.Number("top_p", "topP"),
            TopK = ToInt(p, "top_k", "topK"),
            RepetitionPenalty = (float?)p.Number("repetition_penalty", "repetitionPenalty"),
            // Any 64-bit seed is accepted; negative ones keep their bits.
            Seed = p.Integer("seed") is { } seed ? unchecked((ulong)seed) : null,
            Stop = p.StringOrStrings("stop", "stop_sequences", "stopSequences") ?? [],
            IgnoreEos = p.Boolean("ignore_eos") ?? false,
        };
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
