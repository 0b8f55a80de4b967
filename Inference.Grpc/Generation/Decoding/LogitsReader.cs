using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlStack.Inference.Generation.Decoding;

internal static class LogitsReader
{
    /// <summary>Copies each row's last position of logits [rows, sequence, vocab] into <paramref name="rows"/> (rows × vocab) as float32.</summary>
    public static void CopyLastPositions(OrtValue logits, float[] rows, int vocabularySize)
    {
        var shape = logits.GetTensorTypeAndShape();
        var vocab = (int)shape.Shape[^1];
        if (vocab != vocabularySize)
        {
            throw new InvalidDataException($"logits have {vocab} columns; the model's vocabulary has {vocabularySize}.");
        }
        var count = (int)shape.Shape[0];
        var positions = (int)shape.Shape[1];
        for (var r = 0; r < count; r++)
        {
            var offset = (r * positions + positions - 1) * vocab;
            var row = rows.AsSpan(r * vocab, vocab);
            if (shape.ElementDataType == TensorElementType.Float16)
            {
                var half = logits.GetTensorDataAsSpan<Float16>().Slice(offset, vocab);
                for (var i = 0; i < vocab; i++)
                {
                    row[i] = (float)half[i];
                }
            }
            else
            {
                logits.GetTensorDataAsSpan<float>().Slice(offset, vocab).CopyTo(row);
            }
        }
    }
}
