using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlStack.Inference.Repository;

namespace MlStack.Inference.Repository;

/// <summary>
/// One model input or output as clients see it: the datatype string and the shape with -1 for variable
/// dimensions. For batching models the first dimension is the batch (-1).
/// </summary>
public sealed record TensorSpec(string Name, TensorElementType ElementType, long[] Shape)
{
    public string DataType { get; } = DataTypes.Name(ElementType);

    public int ElementSize { get; } = DataTypes.Size(ElementType);

    public string ShapeText => "[" + string.Join(",", Shape) + "]";

    /// <summary>
    /// The tensors of an ONNX graph as clients see them: those model.json lists (in its order, with its dims) or
    /// every one the graph declares; with a batch dimension the first dimension is -1.
    /// </summary>
    public static TensorSpec[] Describe(IReadOnlyDictionary<string, NodeMetadata> graph, List<TensorConfig>? configured, bool batched)
    {
        var names = configured is { Count: > 0 } ? configured.Select(c => c.Name) : graph.Keys;
        return names.Select(name =>
        {
            if (!graph.TryGetValue(name, out var node))
                throw new InvalidDataException($"model.json names tensor {name}, which the ONNX graph does not have ({string.Join(", ", graph.Keys)}).");
            var shape = node.Dimensions.Select(d => (long)d).ToArray();
            if (configured?.FirstOrDefault(c => c.Name == name)?.Dims is { } dims)
                shape = batched ? [-1, .. dims] : dims;
            else if (batched && shape.Length > 0)
                shape[0] = -1;
            if (batched && shape.Length == 0)
                throw new InvalidDataException($"Tensor {name} has no batch dimension but max_batch_size > 0.");
            return new TensorSpec(name, node.ElementDataType, shape);
        }).ToArray();
    }
}
