using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlStack.Inference.Generation.Decoding;

internal static class LogitsReader
{
    /// <summary>Copies the last position's row of logits [1, sequence, vocab] into <paramref name="row"/> as float32.</summary>
    public static void CopyLastRow(OrtValue logits, float[] row)
    {
        var shape = logits.GetTensorTypeAndShape();
        var vocab = (int)shape.Shape[^1];
        if (vocab != row.Length)
        {
            throw new InvalidDataException($"logits have {vocab} columns; the model's vocabulary has {row.Length}.");
        }
        var offset = (int)(shape.ElementCount - vocab);
        if (shape.ElementDataType == TensorElementType.Float16)
        {
            var half = logits.GetTensorDataAsSpan<Float16>().Slice(offset, vocab);
            for (var i = 0; i < vocab; i++)
            {
                row[i] = (float)half[i];
            }
            return;
        }
        logits.GetTensorDataAsSpan<float>().Slice(offset, vocab).CopyTo(row);
    }
}
