using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlStack.Inference.Repository;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The input/output signature of a decoder graph, read from the ONNX session: input_ids, attention_mask, optional
/// position_ids (and use_cache_branch of merged exports), past_key_values.{i}.key/value in, logits and
/// present.{i}.key/value out. The cache shape is [batch, kv_heads, positions, head_dim]. An Optimum export uses
/// these names and a <see cref="KvCacheFormat.Concatenated"/> cache; an onnxruntime-genai export names its tensors
/// in genai_config.json and, with past_present_share_buffer, reads a <see cref="KvCacheFormat.SharedBuffer"/>.
/// </summary>
public sealed class DecoderLayout
{
    public required KvCacheFormat Format { get; init; }
    public string InputIdsName { get; init; } = "input_ids";
    public string AttentionMaskName { get; init; } = "attention_mask";
    public string LogitsName { get; init; } = "logits";

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

    /// <summary>
    /// Rows of different lengths can share one run: they need their own positions, from position_ids (Optimum) or
    /// from their own attention_mask length (the shared buffer's seqlens_k).
    /// </summary>
    public bool BatchesRowsOfDifferentLengths => HasPositionIds || Format == KvCacheFormat.SharedBuffer;

    /// <summary>
    /// Reads the signature; <paramref name="genai"/> is the folder's genai_config.json (null for an Optimum export),
    /// whose tensor names and past_present_share_buffer it follows. <paramref name="file"/> names the graph in errors.
    /// <paramref name="attentionFused"/>: an Optimum export whose attention was fused at load, which reads its cache
    /// as onnxruntime-genai's layout does (a <see cref="KvCacheFormat.SharedBuffer"/>) under Optimum's names.
    /// </summary>
    public static DecoderLayout Read(InferenceSession session, GenaiConfig? genai = null, string file = "model.onnx", bool attentionFused = false)
    {
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;
        var kind = genai is null ? "an Optimum decoder export" : "the decoder genai_config.json describes";
        var (inputIds, mask, logitsName) = genai is null
            ? ("input_ids", "attention_mask", "logits")
            : (genai.InputIdsName, genai.AttentionMaskName, genai.LogitsName);
        foreach (var required in new[] { inputIds, mask })
        {
            if (!inputs.ContainsKey(required))
            {
                throw new InvalidDataException($"{file} has no '{required}' input: not {kind}.");
            }
        }
        if (!outputs.ContainsKey(logitsName))
        {
            throw new InvalidDataException($"{file} has no '{logitsName}' output: not {kind}.");
        }
        string Name(string pattern, int layer) => pattern.Replace("%d", layer.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var (pastKey, pastValue, presentKey, presentValue) = genai is null
            ? ("past_key_values.%d.key", "past_key_values.%d.value", "present.%d.key", "present.%d.value")
            : (genai.PastKeyNames, genai.PastValueNames, genai.PresentKeyNames, genai.PresentValueNames);
        var layers = 0;
        while (inputs.ContainsKey(Name(pastKey, layers)))
        {
            layers++;
        }
        if (layers == 0)
        {
            throw new InvalidDataException(
                $"{file} has no {Name(pastKey, 0)} input: export it with a KV cache (optimum-cli export onnx --task text-generation-with-past).");
        }
        var past = new List<string>();
        var present = new List<string>();
        for (var i = 0; i < layers; i++)
        {
            foreach (var (input, output) in new[] { (Name(pastKey, i), Name(presentKey, i)), (Name(pastValue, i), Name(presentValue, i)) })
            {
                if (!inputs.ContainsKey(input))
                {
                    throw new InvalidDataException($"{file} has {Name(pastKey, i)} but no {input} input.");
                }
                if (!outputs.ContainsKey(output))
                {
                    throw new InvalidDataException($"{file} has {input} but no {output} output.");
                }
                past.Add(input);
                present.Add(output);
            }
        }
        if (genai is { PastPresentShareBuffer: false })
        {
            throw new InvalidDataException(
                $"{GenaiConfig.FileNameInFolder} sets search.past_present_share_buffer to false; the server runs onnxruntime-genai exports with past and present sharing one buffer (export with it true, the builder's default).");
        }
        var cache = inputs[past[0]];
        var dims = cache.Dimensions;
        if (dims.Length != 4 || dims[1] <= 0 || dims[3] <= 0)
        {
            throw new InvalidDataException(
                $"{past[0]} has shape [{string.Join(", ", dims)}]; expected [batch, kv_heads, past_length, head_dim] with fixed heads and head_dim.");
        }
        var layout = new DecoderLayout
        {
            Format = genai is null && !attentionFused ? KvCacheFormat.Concatenated : KvCacheFormat.SharedBuffer,
            InputIdsName = inputIds,
            AttentionMaskName = mask,
            LogitsName = logitsName,
            Layers = layers,
            KvHeads = dims[1],
            HeadDim = dims[3],
            CacheType = cache.ElementDataType,
            LogitsType = outputs[logitsName].ElementDataType,
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
