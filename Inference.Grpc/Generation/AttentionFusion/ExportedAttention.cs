using Onnx;

namespace MlStack.Inference.Generation.AttentionFusion;

/// <summary>
/// One layer's attention as an Optimum (torch.onnx) export writes it, found by walking from the Concat that appends the
/// new keys to past_key_values.N.key:
/// <code>
/// present_k = Concat(past_k, k, axis 2) -> [Unsqueeze/Expand/Reshape: repeat_kv] -> Transpose -> MatMul(q, k^T)
///   -> [Mul/Div by a constant scale] -> [Add/Where: the causal and padding mask] -> Softmax
///   -> MatMul(probabilities, present_v -> [Unsqueeze/Expand/Reshape]) -> Transpose/Reshape to [batch, seq, hidden]
/// </code>
/// Scale factors met on the query or key side (torch's scaled_dot_product_attention export scales both by the square
/// root) multiply into one. Anything else on the path (a soft cap, a position bias, another op) is not this pattern: the
/// match is refused with where it stopped, and the model runs as exported.
/// </summary>
internal sealed class ExportedAttention
{
    /// <summary>Ops that only move or repeat the cache's elements (repeat_kv, the key's transpose) or change nothing.</summary>
    private static readonly HashSet<string> Layout = ["Unsqueeze", "Transpose", "Expand", "Reshape", "Identity", "Cast"];

    /// <summary>Ops between the scores and the softmax that only mask (the causal and padding mask) or cast.</summary>
    private static readonly HashSet<string> Masking = ["Add", "Where", "Max", "Cast"];

    private ExportedAttention(NodeProto concatKey, NodeProto concatValue, string query, NodeProto scores, NodeProto merge, double scale)
    {
        ConcatKey = concatKey;
        ConcatValue = concatValue;
        Query = query;
        Scores = scores;
        Merge = merge;
        Scale = scale;
    }

    /// <summary>Concat(past_key, new key): its output is present.N.key.</summary>
    public NodeProto ConcatKey { get; }

    public NodeProto ConcatValue { get; }

    /// <summary>The rotated query, [batch, heads, seq, head_dim] or [batch, kv_heads, group, seq, head_dim].</summary>
    public string Query { get; }

    /// <summary>The new keys (rotated) and values, [batch, kv_heads, seq, head_dim].</summary>
    public string NewKey => ConcatKey.Input[1];

    public string NewValue => ConcatValue.Input[1];

    /// <summary>MatMul(q, k^T): the fused nodes go before it, where the query and the new keys and values exist.</summary>
    public NodeProto Scores { get; }

    /// <summary>The Reshape that merges the heads into [batch, seq, hidden]: its output is the attention's.</summary>
    public NodeProto Merge { get; }

    /// <summary>What the scores are multiplied by before the softmax.</summary>
    public double Scale { get; }

    /// <summary>The layer's attention, or the reason it is not the pattern.</summary>
    public static ExportedAttention? Find(OnnxGraph graph, long opset, string pastKey, string pastValue, out string? refusal)
    {
        refusal = null;
        var concatKey = CacheConcat(graph, pastKey, ref refusal);
        var concatValue = CacheConcat(graph, pastValue, ref refusal);
        if (concatKey is null || concatValue is null)
        {
            return null;
        }

        // The key side, forward to the scores' MatMul.
        var scale = 1.0;
        var tensor = concatKey.Output[0];
        NodeProto scores;
        while (true)
        {
            // Shape reads (sequence lengths for the mask) are left to the pruning: they fall away with the old attention.
            var uses = graph.Consumers(tensor).Where(n => n.OpType != "Shape").ToList();
            if (uses.Count != 1)
            {
                refusal = $"{pastKey}'s keys are read by {uses.Count} nodes on their way to the scores, not one";
                return null;
            }
            var node = uses[0];
            if (node.OpType == "MatMul" && node.Input[1] == tensor)
            {
                scores = node;
                break;
            }
            if (Factor(graph, node, tensor) is { } factor)
            {
                scale *= factor;
            }
            else if (!Layout.Contains(node.OpType) || node.Input[0] != tensor)
            {
                refusal = $"{pastKey}'s keys reach a {node.OpType} ({node.Name}) before the scores";
                return null;
            }
            tensor = node.Output[0];
        }

        // The query side, back from the scores through any scale on it.
        var query = scores.Input[0];
        while (graph.Producer(query) is { } producer && Factor(graph, producer, producer.Input[0]) is { } factor)
        {
            scale *= factor;
            query = producer.Input[0];
        }

        // Forward to the softmax.
        tensor = scores.Output[0];
        while (true)
        {
            if (graph.Consumers(tensor) is not [var node])
            {
                refusal = $"the scores of {pastKey}'s layer are read by {graph.Consumers(tensor).Count} nodes, not one";
                return null;
            }
            if (node.OpType == "Softmax")
            {
                // Softmax's axis defaults to -1 from opset 13; before it, to 1 (over flattened trailing axes).
                var axis = Attribute(node, "axis") ?? (opset >= 13 ? -1 : 1);
                if (axis != -1)
                {
                    refusal = $"the softmax of {pastKey}'s layer runs over axis {axis}, not the last (-1)";
                    return null;
                }
                tensor = node.Output[0];
                break;
            }
            if (Factor(graph, node, tensor) is { } factor)
            {
                scale *= factor;
            }
            else if (!Masking.Contains(node.OpType))
            {
                refusal = $"the scores of {pastKey}'s layer reach a {node.OpType} ({node.Name}) before the softmax";
                return null;
            }
            tensor = node.Output[0];
        }

        // The probabilities times the values.
        NodeProto weighted;
        while (true)
        {
            if (graph.Consumers(tensor) is not [var node])
            {
                refusal = $"the probabilities of {pastKey}'s layer are read by {graph.Consumers(tensor).Count} nodes, not one";
                return null;
            }
            if (node.OpType == "MatMul" && node.Input[0] == tensor)
            {
                weighted = node;
                break;
            }
            if (node.OpType is not ("Cast" or "Identity" or "Dropout"))
            {
                refusal = $"the probabilities of {pastKey}'s layer reach a {node.OpType} ({node.Name})";
                return null;
            }
            tensor = node.Output[0];
        }
        var value = weighted.Input[1];
        while (value != concatValue.Output[0])
        {
            if (graph.Producer(value) is not { } producer || !Layout.Contains(producer.OpType))
            {
                refusal = $"the values the probabilities of {pastKey}'s layer multiply are not {pastValue}'s";
                return null;
            }
            value = producer.Input[0];
        }

        // Back to [batch, seq, hidden]: the last Reshape of the Transpose/Reshape chain after the weighted sum.
        NodeProto? merge = null;
        tensor = weighted.Output[0];
        while (graph.Consumers(tensor) is [{ OpType: "Transpose" or "Reshape" } next] && !graph.IsGraphOutput(tensor))
        {
            merge = next.OpType == "Reshape" ? next : merge;
            tensor = next.Output[0];
        }
        if (merge is null || merge.Output[0] != tensor)
        {
            refusal = $"no Reshape merges the heads of {pastKey}'s layer after its attention";
            return null;
        }
        return new ExportedAttention(concatKey, concatValue, query, scores, merge, scale);
    }

    private static NodeProto? CacheConcat(OnnxGraph graph, string past, ref string? refusal)
    {
        var concats = graph.Consumers(past).Where(n => n.OpType == "Concat" && n.Input.Count == 2 && n.Input[0] == past).ToList();
        // Shape reads (the past length) are allowed here; the rewrite refuses a graph that still needs one after pruning.
        if (concats is not [var concat] || graph.Consumers(past).Any(n => n != concat && n.OpType != "Shape"))
        {
            refusal ??= $"{past} is not read by one Concat that appends the new positions";
            return null;
        }
        if (Attribute(concat, "axis") is not (2 or -2))
        {
            refusal ??= $"{past} is concatenated on axis {Attribute(concat, "axis")}, not the positions' (2)";
            return null;
        }
        return concat;
    }

    /// <summary>The factor a Mul or Div by a one-element constant multiplies <paramref name="tensor"/> by, or null.</summary>
    private static double? Factor(OnnxGraph graph, NodeProto node, string tensor)
    {
        if (node.OpType == "Mul" && node.Input.Count == 2)
        {
            var other = node.Input[0] == tensor ? node.Input[1] : node.Input[1] == tensor ? node.Input[0] : null;
            return other is null ? null : graph.Scalar(other);
        }
        if (node.OpType == "Div" && node.Input.Count == 2 && node.Input[0] == tensor && graph.Scalar(node.Input[1]) is { } divisor && divisor != 0)
        {
            return 1 / divisor;
        }
        return null;
    }

    private static long? Attribute(NodeProto node, string name) =>
        node.Attribute.FirstOrDefault(a => a.Name == name) is { } attribute ? attribute.I : null;
}
