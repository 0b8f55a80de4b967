using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The input/output signature of an Optimum decoder export, read from the ONNX graph: input_ids,
/// attention_mask, optional position_ids (and use_cache_branch of merged exports), past_key_values.{i}.key/value
/// in, logits and present.{i}.key/value out. The cache shape is [batch, kv_heads, past_length, head_dim].
/// </summary>
public sealed class DecoderLayout
{
    public required int Layers { get; init; }
    public required int KvHeads { get; init; }
    public required int HeadDim { get; init; }
    public required TensorElementType CacheType { get; init; }

    /// <summary>Bytes per cache element (float32 4, float16 and bfloat16 2).</summary>
    public int CacheElementSize => CacheType == TensorElementType.Float ? 4 : 2;
    public required TensorElementType LogitsType { get; init; }
    public required bool HasPositionIds { get; init; }
    public required bool HasUseCacheBranch { get; init; }

    /// <summary>past_key_values.0.key, past_key_values.0.value, past_key_values.1.key, ...</summary>
    public required string[] PastNames { get; init; }

    /// <summary>present.0.key, present.0.value, ... in the same order as <see cref="PastNames"/>.</summary>
    public required string[] PresentNames { get; init; }

    public static DecoderLayout Read(InferenceSession session)
    {
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        foreach (var required in new[] { "input_ids", "attention_mask" })
        {
            if (!inputs.ContainsKey(required))
            {
                throw new InvalidDataException($"model.onnx has no '{required}' input: not an Optimum decoder export.");
            }
        }
        if (!outputs.ContainsKey("logits"))
        {
            throw new InvalidDataException("model.onnx has no 'logits' output: not an Optimum decoder export.");
        }
        var layers = 0;
        while (inputs.ContainsKey($"past_key_values.{layers}.key"))
        {
            layers++;
        }
        if (layers == 0)
        {
            throw new InvalidDataException(
                "model.onnx has no past_key_values.* inputs: export it with a KV cache (optimum-cli export onnx --task text-generation-with-past).");
        }
        var past = new List<string>();
        var present = new List<string>();
        for (var i = 0; i < layers; i++)
        {
            foreach (var kind in new[] { "key", "value" })
            {
                past.Add($"past_key_values.{i}.{kind}");
                var output = $"present.{i}.{kind}";
                if (!outputs.ContainsKey(output))
                {
                    throw new InvalidDataException($"model.onnx has past_key_values.{i}.{kind} but no {output} output.");
                }
                present.Add(output);
            }
        }
        var cache = inputs["past_key_values.0.key"];
        var dims = cache.Dimensions;
        if (dims.Length != 4 || dims[1] <= 0 || dims[3] <= 0)
        {
            throw new InvalidDataException(
                $"past_key_values.0.key has shape [{string.Join(", ", dims)}]; expected [batch, kv_heads, past_length, head_dim] with fixed heads and head_dim.");
        }
        var layout = new DecoderLayout
        {
            Layers = layers,
            KvHeads = dims[1],
            HeadDim = dims[3],
            CacheType = cache.ElementDataType,
            LogitsType = outputs["logits"].ElementDataType,
            HasPositionIds = inputs.ContainsKey("position_ids"),
            HasUseCacheBranch = inputs.ContainsKey("use_cache_branch"),
            PastNames = [.. past],
            PresentNames = [.. present],
        };
        if (layout.CacheType is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16))
        {
            throw new InvalidDataException($"past_key_values are {layout.CacheType}; only float32, float16 and bfloat16 caches are supported.");
        }
        if (layout.LogitsType is not (TensorElementType.Float or TensorElementType.Float16))
        {
            throw new InvalidDataException($"logits are {layout.LogitsType}; only float32 and float16 models are supported.");
        }
        return layout;
    }
}
