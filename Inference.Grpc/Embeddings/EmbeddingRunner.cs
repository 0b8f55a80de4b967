using System.Numerics.Tensors;
using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Embeddings;

/// <summary>
/// Runs a batch of tokenized texts through a BERT-style encoder as one ONNX Runtime run. Texts are padded to
/// the longest in the batch (pad id 0, attention mask 0) in pooled buffers that ONNX Runtime reads in place;
/// pooling (mean, CLS or last token) honours the attention mask, so padding does not change a text's vector.
/// </summary>
public sealed class EmbeddingRunner
{
    // Default run options, shared: runs never change them.
    private static readonly RunOptions RunDefaults = new();
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly bool _hasTokenTypes;
    private readonly string _pooling;

    public EmbeddingRunner(InferenceSession session, string pooling)
    {
        _session = session;
        var names = session.InputMetadata.Keys.ToHashSet();
        if (!names.Contains("input_ids") || !names.Contains("attention_mask"))
            throw new InvalidDataException($"An embedding model needs inputs input_ids and attention_mask; it has {string.Join(", ", names)}.");
        _hasTokenTypes = names.Contains("token_type_ids");
        _inputNames = _hasTokenTypes ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
        // The token-level output: last_hidden_state by name, else the first output of rank 3.
        var output = session.OutputMetadata.FirstOrDefault(o => o.Key == "last_hidden_state").Key
            ?? session.OutputMetadata.FirstOrDefault(o => o.Value.Dimensions.Length == 3).Key
            ?? throw new InvalidDataException("An embedding model needs a [batch, tokens, hidden] output (last_hidden_state).");
        _outputNames = [output];
        Dimensions = session.OutputMetadata[output].Dimensions[^1];
        _pooling = pooling;
    }

    /// <summary>Vector length (hidden size).</summary>
    public int Dimensions { get; }

    /// <summary>Runs the batch and completes each work with one vector per text (not normalised); returns the rows.</summary>
    public int Execute(List<EmbeddingWork> batch)
    {
        var rows = 0;
        var length = 0;
        foreach (var work in batch)
        {
            rows += work.Rows;
            foreach (var ids in work.TokenIds) length = Math.Max(length, ids.Length);
        }

        var size = rows * length;
        var ids64 = ArrayPool<long>.Shared.Rent(size);
        var mask = ArrayPool<long>.Shared.Rent(size);
        var types = _hasTokenTypes ? ArrayPool<long>.Shared.Rent(size) : null;
        var shape = new long[] { rows, length };
        OrtValue? idsValue = null, maskValue = null, typesValue = null;
        try
        {
            var row = 0;
            foreach (var work in batch)
            {
                foreach (var text in work.TokenIds)
                {
                    var idsRow = ids64.AsSpan(row * length, length);
                    var maskRow = mask.AsSpan(row * length, length);
                    for (var t = 0; t < text.Length; t++)
                    {
                        idsRow[t] = text[t];
                        maskRow[t] = 1;
                    }
                    idsRow[text.Length..].Clear();
                    maskRow[text.Length..].Clear();
                    row++;
                }
            }
            types?.AsSpan(0, size).Clear();

            idsValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, ids64.AsMemory(0, size), shape);
            maskValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, mask.AsMemory(0, size), shape);
            OrtValue[] inputs = types is null
                ? [idsValue, maskValue]
                : [idsValue, maskValue, typesValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, types.AsMemory(0, size), shape)];

            using var outputs = _session.Run(RunDefaults, _inputNames, inputs, _outputNames);
            var hidden = outputs[0].GetTensorDataAsSpan<float>();
            var dims = Dimensions;

            row = 0;
            foreach (var work in batch)
            {
                var vectors = new float[work.Rows][];
                for (var r = 0; r < work.Rows; r++, row++)
                {
                    var tokens = work.TokenIds[r].Length;
                    var vector = new float[dims];
                    var states = hidden.Slice(row * length * dims, length * dims);
                    if (_pooling == "mean")
                    {
                        // Mean over the text's own tokens only; padded positions (mask 0) never enter the sum.
                        for (var t = 0; t < tokens; t++) TensorPrimitives.Add(vector, states.Slice(t * dims, dims), vector);
                        TensorPrimitives.Multiply(vector, 1f / tokens, vector);
                    }
                    else if (_pooling == "last_token")
                    {
                        // The text's own last token (its [SEP] or EOS): padding comes after it.
                        states.Slice((tokens - 1) * dims, dims).CopyTo(vector);
                    }
                    else
                    {
                        states[..dims].CopyTo(vector);
                    }
                    vectors[r] = vector;
                }
                work.Complete(vectors);
            }
            return rows;
        }
        finally
        {
            idsValue?.Dispose();
            maskValue?.Dispose();
            typesValue?.Dispose();
            ArrayPool<long>.Shared.Return(ids64);
            ArrayPool<long>.Shared.Return(mask);
            if (types is not null) ArrayPool<long>.Shared.Return(types);
        }
    }

    public static void Normalize(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm >= 1e-12f) TensorPrimitives.Multiply(vector, 1f / norm, vector);
    }
}
