using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlStack.Testing;

/// <summary>
/// Greedy decoding of one prompt straight on ONNX Runtime, the way each layout of tools/model-builder expects to be
/// driven, independent of the server's decoder (which is what these files will be served by, and must not be what
/// checks them). Optimum layouts: a past that grows by concatenation (present becomes the next past), position_ids
/// and use_cache_branch when the graph declares them, float16 when the graph's past is float16. onnxruntime-genai
/// layout: one max-length buffer per past/present bound to both through IOBinding, attention_mask only.
/// </summary>
public static class LayoutGreedyDecoder
{
    public sealed record Decoded(List<long> Ids, List<float[]> Logits);

    /// <summary>Greedy ids for maxNewTokens steps (stopping at an eos id), or, with forced, the logits along forced.</summary>
    public static Decoded Optimum(InferenceSession session, long[] prompt, int maxNewTokens, ISet<long> eos, long[]? forced = null)
    {
        var pastNames = session.InputMetadata.Keys.Where(n => n.StartsWith("past_key_values.", StringComparison.Ordinal)).ToList();
        var half = session.InputMetadata[pastNames[0]].ElementDataType == TensorElementType.Float16;
        var dims = session.InputMetadata[pastNames[0]].Dimensions;
        var (kvHeads, headDim) = (dims[1], dims[3]);
        var past = pastNames.Select(_ => half
            ? OrtValue.CreateTensorValueFromMemory(Array.Empty<Float16>(), [1, kvHeads, 0, headDim])
            : OrtValue.CreateTensorValueFromMemory(Array.Empty<float>(), [1, kvHeads, 0, headDim])).ToList();
        var outputNames = new[] { "logits" }.Concat(pastNames.Select(n => n.Replace("past_key_values.", "present.", StringComparison.Ordinal))).ToArray();
        var decoded = new Decoded([], []);
        var tokens = prompt;
        var length = 0;
        try
        {
            for (var step = 0; step < maxNewTokens; step++)
            {
                var inputs = new Dictionary<string, OrtValue>
                {
                    ["input_ids"] = OrtValue.CreateTensorValueFromMemory(tokens, [1, tokens.Length]),
                    ["attention_mask"] = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, length + tokens.Length).ToArray(), [1, length + tokens.Length]),
                };
                if (session.InputMetadata.ContainsKey("position_ids"))
                {
                    inputs["position_ids"] = OrtValue.CreateTensorValueFromMemory(Enumerable.Range(length, tokens.Length).Select(i => (long)i).ToArray(), [1, tokens.Length]);
                }
                if (session.InputMetadata.ContainsKey("use_cache_branch"))
                {
                    inputs["use_cache_branch"] = OrtValue.CreateTensorValueFromMemory(new[] { length > 0 }, [1]);
                }
                try
                {
                    using var run = new RunOptions();
                    var names = inputs.Keys.Concat(pastNames).ToArray();
                    var values = inputs.Values.Concat(past).ToArray();
                    using var outputs = session.Run(run, names, values, outputNames);
                    var logits = LastRow(outputs[0], tokens.Length);
                    var next = forced is null ? ArgMax(logits) : forced[step];
                    decoded.Logits.Add(logits);
                    decoded.Ids.Add(ArgMax(logits));
                    length += tokens.Length;
                    tokens = [next];
                    // The presents are the next past: copied out, since the run's outputs are disposed with it.
                    for (var i = 0; i < past.Count; i++)
                    {
                        past[i].Dispose();
                        past[i] = half
                            ? OrtValue.CreateTensorValueFromMemory(outputs[i + 1].GetTensorDataAsSpan<Float16>().ToArray(), [1, kvHeads, length, headDim])
                            : OrtValue.CreateTensorValueFromMemory(outputs[i + 1].GetTensorDataAsSpan<float>().ToArray(), [1, kvHeads, length, headDim]);
                    }
                    if (forced is null && eos.Contains(next)) break;
                    if (forced is not null && step + 1 == forced.Length) break;
                }
                finally
                {
                    foreach (var value in inputs.Values) value.Dispose();
                }
            }
            return decoded;
        }
        finally
        {
            foreach (var value in past) value.Dispose();
        }
    }

    /// <summary>The genai layout: past and present share one buffer of capacity tokens per layer, written in place.</summary>
    public static Decoded Genai(InferenceSession session, long[] prompt, int maxNewTokens, ISet<long> eos, long[]? forced = null)
    {
        var pastNames = session.InputMetadata.Keys.Where(n => n.StartsWith("past_key_values.", StringComparison.Ordinal)).ToList();
        var dims = session.InputMetadata[pastNames[0]].Dimensions;
        var (kvHeads, headDim) = (dims[1], dims[3]);
        var capacity = prompt.Length + maxNewTokens + 1;
        var buffers = pastNames.Select(_ => OrtValue.CreateTensorValueFromMemory(new float[kvHeads * capacity * headDim], [1, kvHeads, capacity, headDim])).ToList();
        using var binding = session.CreateIoBinding();
        for (var i = 0; i < buffers.Count; i++)
        {
            binding.BindInput(pastNames[i], buffers[i]);
            binding.BindOutput(pastNames[i].Replace("past_key_values.", "present.", StringComparison.Ordinal), buffers[i]);
        }
        var decoded = new Decoded([], []);
        var tokens = prompt;
        var length = 0;
        try
        {
            for (var step = 0; step < maxNewTokens; step++)
            {
                using var ids = OrtValue.CreateTensorValueFromMemory(tokens, [1, tokens.Length]);
                using var mask = OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, length + tokens.Length).ToArray(), [1, length + tokens.Length]);
                binding.BindInput("input_ids", ids);
                binding.BindInput("attention_mask", mask);
                binding.BindOutputToDevice("logits", OrtMemoryInfo.DefaultInstance);
                using var run = new RunOptions();
                session.RunWithBinding(run, binding);
                using var outputs = binding.GetOutputValues();
                var logits = LastRow(outputs[^1], tokens.Length); // bound last
                var next = forced is null ? ArgMax(logits) : forced[step];
                decoded.Logits.Add(logits);
                decoded.Ids.Add(ArgMax(logits));
                length += tokens.Length;
                tokens = [next];
                if (forced is null && eos.Contains(next)) break;
                if (forced is not null && step + 1 == forced.Length) break;
            }
            return decoded;
        }
        finally
        {
            foreach (var buffer in buffers) buffer.Dispose();
        }
    }

    private static float[] LastRow(OrtValue logits, int rows)
    {
        var info = logits.GetTensorTypeAndShape();
        var vocabulary = (int)info.Shape[^1];
        if (info.ElementDataType == TensorElementType.Float16)
        {
            var half = logits.GetTensorDataAsSpan<Float16>().Slice((rows - 1) * vocabulary, vocabulary);
            var row = new float[vocabulary];
            for (var i = 0; i < vocabulary; i++) row[i] = (float)half[i];
            return row;
        }
        return logits.GetTensorDataAsSpan<float>().Slice((rows - 1) * vocabulary, vocabulary).ToArray();
    }

    public static long ArgMax(float[] logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
