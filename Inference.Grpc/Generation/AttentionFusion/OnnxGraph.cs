using System.Buffers.Binary;
using Onnx;

namespace MlStack.Inference.Generation.AttentionFusion;

/// <summary>
/// An index over one ONNX graph: which node writes each tensor, which nodes read it (a node with subgraphs reads the
/// outer names its subgraphs use), and the values of small constants. Built once; a rewrite that changes the graph
/// builds a new one.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outputs;

    public OnnxGraph(GraphProto graph)
    {
        Graph = graph;
        foreach (var initializer in graph.Initializer)
        {
            _initializers[initializer.Name] = initializer;
        }
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                _producers[output] = node;
            }
            foreach (var input in Reads(node))
            {
                if (!_consumers.TryGetValue(input, out var readers))
                {
                    _consumers[input] = readers = [];
                }
                readers.Add(node);
            }
        }
        _outputs = [.. graph.Output.Select(o => o.Name)];
    }

    public GraphProto Graph { get; }

    public NodeProto? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

    public IReadOnlyList<NodeProto> Consumers(string tensor) => _consumers.TryGetValue(tensor, out var readers) ? readers : [];

    public bool IsGraphOutput(string tensor) => _outputs.Contains(tensor);

    /// <summary>The names a node reads: its inputs and, through its subgraphs (If, Loop, Scan), the outer names they use.</summary>
    public static IEnumerable<string> Reads(NodeProto node)
    {
        var names = new HashSet<string>(node.Input.Where(i => i.Length > 0), StringComparer.Ordinal);
        foreach (var attribute in node.Attribute)
        {
            foreach (var subgraph in attribute.Graphs.Append(attribute.G).Where(g => g is not null))
            {
                names.UnionWith(OuterReads(subgraph));
            }
        }
        return names;
    }

    private static HashSet<string> OuterReads(GraphProto graph)
    {
        var defined = new HashSet<string>(graph.Input.Select(i => i.Name).Concat(graph.Initializer.Select(i => i.Name)), StringComparer.Ordinal);
        var reads = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            reads.UnionWith(Reads(node).Where(name => !defined.Contains(name)));
            defined.UnionWith(node.Output);
        }
        reads.UnionWith(graph.Output.Select(o => o.Name).Where(name => !defined.Contains(name)));
        return reads;
    }

    /// <summary>The value of a one-element floating-point constant (an initializer or a Constant node), or null.</summary>
    public double? Scalar(string tensor)
    {
        var value = ConstantTensor(tensor, out var attributeFloat);
        if (attributeFloat is { } f)
        {
            return f;
        }
        if (value is null || value.Dims.Aggregate(1L, (a, b) => a * b) != 1 || value.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return null;
        }
        var raw = value.RawData.Span;
        return (TensorProto.Types.DataType)value.DataType switch
        {
            TensorProto.Types.DataType.Float => raw.Length == 4 ? BinaryPrimitives.ReadSingleLittleEndian(raw) : value.FloatData.FirstOrDefault(),
            TensorProto.Types.DataType.Double => raw.Length == 8 ? BinaryPrimitives.ReadDoubleLittleEndian(raw) : value.DoubleData.FirstOrDefault(),
            // float16 keeps its bits in raw_data or in the low half of int32_data.
            TensorProto.Types.DataType.Float16 => (double)(raw.Length == 2
                ? BinaryPrimitives.ReadHalfLittleEndian(raw)
                : BitConverter.UInt16BitsToHalf((ushort)value.Int32Data.FirstOrDefault())),
            _ => null,
        };
    }

    /// <summary>The values of a small int64 constant (a shape, axes), or null.</summary>
    public long[]? Int64s(string tensor)
    {
        var value = ConstantTensor(tensor, out _);
        if (value is null || (TensorProto.Types.DataType)value.DataType != TensorProto.Types.DataType.Int64 || value.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return null;
        }
        if (value.RawData.Length > 0)
        {
            var raw = value.RawData.Span;
            var values = new long[raw.Length / 8];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]);
            }
            return values;
        }
        return [.. value.Int64Data];
    }

    private TensorProto? ConstantTensor(string tensor, out float? attributeFloat)
    {
        attributeFloat = null;
        if (_initializers.TryGetValue(tensor, out var initializer))
        {
            return initializer;
        }
        if (Producer(tensor) is not { OpType: "Constant", Domain: "" } constant)
        {
            return null;
        }
        foreach (var attribute in constant.Attribute)
        {
            switch (attribute.Name)
            {
                case "value":
                    return attribute.T;
                case "value_float":
                    attributeFloat = attribute.F;
                    return null;
            }
        }
        return null;
    }
}
