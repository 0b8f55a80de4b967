using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlStack.Inference.KServe;

/// <summary>
/// One model input or output as clients see it: the datatype string and the shape with -1 for variable
/// dimensions. For batching models the first dimension is the batch (-1).
/// </summary>
public sealed record TensorSpec(string Name, TensorElementType ElementType, long[] Shape)
{
    public string DataType { get; } = DataTypes.Name(ElementType);

    public int ElementSize { get; } = DataTypes.Size(ElementType);

    public string ShapeText => "[" + string.Join(",", Shape) + "]";
}
