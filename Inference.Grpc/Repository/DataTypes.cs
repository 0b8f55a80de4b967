using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlStack.Inference.Repository;

/// <summary>The Open Inference Protocol's datatype strings and their ONNX Runtime element types.</summary>
public static class DataTypes
{
    private static readonly Dictionary<TensorElementType, (string Name, int Size)> ByElement = new()
    {
        [TensorElementType.Bool] = ("BOOL", 1),
        [TensorElementType.UInt8] = ("UINT8", 1),
        [TensorElementType.UInt16] = ("UINT16", 2),
        [TensorElementType.UInt32] = ("UINT32", 4),
        [TensorElementType.UInt64] = ("UINT64", 8),
        [TensorElementType.Int8] = ("INT8", 1),
        [TensorElementType.Int16] = ("INT16", 2),
        [TensorElementType.Int32] = ("INT32", 4),
        [TensorElementType.Int64] = ("INT64", 8),
        [TensorElementType.Float16] = ("FP16", 2),
        [TensorElementType.BFloat16] = ("BF16", 2),
        [TensorElementType.Float] = ("FP32", 4),
        [TensorElementType.Double] = ("FP64", 8),
        [TensorElementType.String] = ("BYTES", 0),
    };

    public static string Name(TensorElementType type) =>
        ByElement.TryGetValue(type, out var entry) ? entry.Name : type.ToString().ToUpperInvariant();

    /// <summary>Bytes per element; 0 for BYTES (variable length) and types the protocol cannot carry.</summary>
    public static int Size(TensorElementType type) => ByElement.TryGetValue(type, out var entry) ? entry.Size : 0;
}
