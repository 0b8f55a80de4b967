using System.Text.Json;
using Google.Protobuf;
using MlStack.Inference.Execution;
using Onnx;

namespace MlStack.Inference.Generation.AttentionFusion;

/// <summary>
/// Rewrites an Optimum decoder export at load so that each layer's attention is one ONNX Runtime GroupQueryAttention
/// (com.microsoft) node, and its KV cache one buffer per layer written in place (<see cref="Decoding.KvCacheFormat.SharedBuffer"/>)
/// instead of a Concat that copies the whole past into a new present every step. Measured on the Qwen2.5-0.5B-shaped
/// model in docs/benchmarks.md ("Attention fused at load").
/// <list type="bullet">
/// <item>Each layer's <see cref="ExportedAttention"/> (from the rotated query and the new keys and values to the merged
/// heads) becomes Reshape/Transpose to [batch, seq, hidden] and one GroupQueryAttention that reads the past buffers and
/// writes present.N.* in place; the model's own rotary embedding, fed by position_ids, stays where it was.</item>
/// <item>GroupQueryAttention masks causally by each row's length: seqlens_k (the row's attention_mask sum - 1) and
/// total_sequence_length (the mask's width) are computed once from attention_mask, as onnxruntime-genai's builder does,
/// so the graph reads the inputs of onnxruntime-genai's layout.</item>
/// <item>A merged export (decoder_model_merged.onnx) keeps the branch that reads the cache: an empty buffer is a past
/// of length 0.</item>
/// <item>What the old attention alone needed (the mask's construction) is pruned.</item>
/// </list>
/// Refused, with the reason, and the model served as exported: a graph without position_ids (its positions come from
/// the right-aligned mask), a sliding window or a position bias (ALiBi) the fused operator would not apply, or any layer
/// whose attention is not the pattern, a graph whose activations are quantized at run time (dynamic int8); on CUDA, a float32 export (the operator's CUDA kernel is float16/bfloat16 only).
/// The graph is read with OnnxSharp's ONNX protobuf classes; weights in external
/// data stay in their files and are read by ONNX Runtime from the model's folder.
/// </summary>
public static class GroupQueryAttentionRewrite
{
    private const string MicrosoftDomain = "com.microsoft";
    private const string Prefix = "mlstack_fused_attention/";

    /// <summary>Families whose attention adds a position bias (ALiBi) or soft-caps or alternates windows: never fused.</summary>
    private static readonly HashSet<string> UnfusedFamilies = ["bloom", "falcon", "mpt", "baichuan", "jais", "gemma2", "gemma3", "gemma3_text", "cohere2", "gpt_oss"];

    /// <summary>The rewritten graph, or why the model is served as exported.</summary>
    public static FusedAttentionGraph Rewrite(string modelPath, ExecutionProviderKind provider = ExecutionProviderKind.Cpu)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        if (ReadHeads(folder, out var refusal) is not { } heads)
        {
            return FusedAttentionGraph.Refused(refusal!);
        }
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
        }
        catch (Exception error) when (error is InvalidProtocolBufferException or IOException)
        {
            return FusedAttentionGraph.Refused($"its graph cannot be read ({error.Message})");
        }
        return Rewrite(model, heads, provider);
    }

    internal static FusedAttentionGraph Rewrite(ModelProto model, int heads, ExecutionProviderKind provider = ExecutionProviderKind.Cpu)
    {
        var graph = model.Graph;
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        if (!inputs.Contains("attention_mask") || !inputs.Contains("position_ids"))
        {
            return FusedAttentionGraph.Refused("it has no position_ids input: its positions come from the right-aligned attention_mask");
        }
        if (graph.Node.Any(n => n.OpType == "GroupQueryAttention"))
        {
            return FusedAttentionGraph.Refused("it already runs GroupQueryAttention");
        }
        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (!KeepCachedBranch(graph, out var refusal))
        {
            return FusedAttentionGraph.Refused(refusal!);
        }
        // Measured on the Qwen2.5-0.5B-shaped int8 export: the fused attention's float rounding differs from the
        // exported MatMuls' in the last bits, and a value the next DynamicQuantizeLinear rounds to int8 (one scale per
        // tensor) can cross a step, so greedy ids part after a few tokens. Ids must not change: such a graph runs as
        // exported. (Checked after a merged export's cache branch is inlined: its nodes are the graph's now.)
        if (graph.Node.Any(n => n.OpType == "DynamicQuantizeLinear"))
        {
            return FusedAttentionGraph.Refused("its activations are quantized at run time (DynamicQuantizeLinear): a fused attention's float rounding can move a value across an int8 step and change greedy ids");
        }

        var index = new OnnxGraph(graph);
        var layers = new List<(int Layer, ExportedAttention Attention)>();
        for (var layer = 0; inputs.Contains($"past_key_values.{layer}.key"); layer++)
        {
            var pastKey = $"past_key_values.{layer}.key";
            if (ExportedAttention.Find(index, opset, pastKey, $"past_key_values.{layer}.value", out var why) is not { } attention)
            {
                return FusedAttentionGraph.Refused(why!);
            }
            layers.Add((layer, attention));
        }
        if (layers.Count == 0)
        {
            return FusedAttentionGraph.Refused("it has no past_key_values inputs");
        }
        var cacheType = graph.Input.First(i => i.Name == "past_key_values.0.key").Type.TensorType;
        var cache = cacheType.Shape.Dim;
        if (cache.Count != 4 || cache[1].DimValue <= 0 || cache[3].DimValue <= 0)
        {
            return FusedAttentionGraph.Refused("past_key_values.0.key has no fixed [batch, kv_heads, past, head_dim] shape");
        }
        // ONNX Runtime's CUDA GroupQueryAttention is float16/bfloat16 only: a float32 graph would run it on the CPU,
        // copying every layer's activations across; such a model runs as exported.
        if (provider == ExecutionProviderKind.Cuda && cacheType.ElemType == (int)TensorProto.Types.DataType.Float)
        {
            return FusedAttentionGraph.Refused("on CUDA, GroupQueryAttention runs float16 and bfloat16 only, and this export's cache is float32");
        }
        var kvHeads = cache[1].DimValue;
        var headDim = cache[3].DimValue;
        if (heads % kvHeads != 0)
        {
            return FusedAttentionGraph.Refused($"{heads} query heads are not a multiple of {kvHeads} KV heads");
        }

        var added = new List<TensorProto>();
        string Constant(string name, bool scalar, params long[] values)
        {
            var tensor = new TensorProto { Name = Prefix + name, DataType = (int)TensorProto.Types.DataType.Int64 };
            if (!scalar)
            {
                tensor.Dims.Add(values.Length);
            }
            tensor.Int64Data.AddRange(values);
            added.Add(tensor);
            return tensor.Name;
        }

        var nodes = new List<NodeProto>();
        // seqlens_k and total_sequence_length from attention_mask (left-aligned rows: 1 over each row's positions).
        var seqlens = Prefix + "seqlens_k";
        var total = Prefix + "total_sequence_length";
        // ReduceSum takes its axes as an input from opset 13, as an attribute before.
        var sum = Node("ReduceSum", opset >= 13 ? ["attention_mask", Constant("axes", false, 1)] : ["attention_mask"], Prefix + "mask_sum");
        if (opset < 13)
        {
            sum.Attribute.Add(Ints("axes", 1));
        }
        sum.Attribute.Add(Int("keepdims", 0));
        nodes.Add(sum);
        nodes.Add(Node("Sub", [sum.Output[0], Constant("one", true, 1)], Prefix + "last_index"));
        nodes.Add(Node("Cast", [Prefix + "last_index"], seqlens, Int("to", (long)TensorProto.Types.DataType.Int32)));
        nodes.Add(Node("Shape", ["attention_mask"], Prefix + "mask_shape"));
        nodes.Add(Node("Gather", [Prefix + "mask_shape", Constant("width_index", true, 1)], Prefix + "mask_width", Int("axis", 0)));
        nodes.Add(Node("Cast", [Prefix + "mask_width"], total, Int("to", (long)TensorProto.Types.DataType.Int32)));

        var before = new Dictionary<NodeProto, List<NodeProto>>();
        var removed = new HashSet<NodeProto>();
        var headsShape = Constant("heads_shape", false, 0, heads, -1, headDim);
        var flat = Constant("flat", false, 0, 0, -1);
        foreach (var (layer, attention) in layers)
        {
            var p = $"{Prefix}{layer}/";
            List<NodeProto> fused =
            [
                // q [batch, heads, seq, head] (or [batch, kv_heads, group, seq, head]), k and v [batch, kv_heads, seq, head]
                // to [batch, seq, heads * head]: the operator's packed layout.
                Node("Reshape", [attention.Query, headsShape], p + "q_heads"),
                Node("Transpose", [p + "q_heads"], p + "q_bsnh", Ints("perm", 0, 2, 1, 3)),
                Node("Reshape", [p + "q_bsnh", flat], p + "q"),
                Node("Transpose", [attention.NewKey], p + "k_bsnh", Ints("perm", 0, 2, 1, 3)),
                Node("Reshape", [p + "k_bsnh", flat], p + "k"),
                Node("Transpose", [attention.NewValue], p + "v_bsnh", Ints("perm", 0, 2, 1, 3)),
                Node("Reshape", [p + "v_bsnh", flat], p + "v"),
            ];
            var gqa = new NodeProto { OpType = "GroupQueryAttention", Domain = MicrosoftDomain, Name = p + "GroupQueryAttention" };
            gqa.Input.AddRange([p + "q", p + "k", p + "v", attention.ConcatKey.Input[0], attention.ConcatValue.Input[0], seqlens, total]);
            // Its outputs take the names of what it replaces: the merged heads and the two presents.
            gqa.Output.AddRange([attention.Merge.Output[0], attention.ConcatKey.Output[0], attention.ConcatValue.Output[0]]);
            gqa.Attribute.Add(Int("num_heads", heads));
            gqa.Attribute.Add(Int("kv_num_heads", kvHeads));
            gqa.Attribute.Add(new AttributeProto { Name = "scale", Type = AttributeProto.Types.AttributeType.Float, F = (float)attention.Scale });
            fused.Add(gqa);
            // Before the first node that needs what it replaces and after the query and the new keys and values exist:
            // the later of the scores and the two concats.
            var anchor = new[] { attention.Scores, attention.ConcatKey, attention.ConcatValue }.MaxBy(graph.Node.IndexOf)!;
            before[anchor] = fused;
            removed.UnionWith([attention.ConcatKey, attention.ConcatValue, attention.Merge]);
        }

        var rewritten = new List<NodeProto>(nodes);
        foreach (var node in graph.Node)
        {
            if (before.TryGetValue(node, out var fused))
            {
                rewritten.AddRange(fused);
            }
            if (!removed.Contains(node))
            {
                rewritten.Add(node);
            }
        }
        graph.Node.Clear();
        graph.Node.AddRange(rewritten);
        graph.Initializer.AddRange(added);
        Prune(graph);

        // What is left must not read the cache's shape: a shared buffer's length is its capacity, not the positions.
        var pruned = new OnnxGraph(graph);
        foreach (var (layer, attention) in layers)
        {
            foreach (var name in new[] { attention.ConcatKey.Input[0], attention.ConcatValue.Input[0], attention.ConcatKey.Output[0], attention.ConcatValue.Output[0] })
            {
                if (pruned.Consumers(name).Any(n => n.OpType != "GroupQueryAttention"))
                {
                    return FusedAttentionGraph.Refused($"layer {layer}: {name} is still read by {pruned.Consumers(name).First(n => n.OpType != "GroupQueryAttention").OpType} after the attention is fused");
                }
            }
        }
        if (!model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
        return new FusedAttentionGraph(model.ToByteArray(), layers.Count, null);
    }

    /// <summary>
    /// A merged export's graph becomes its cache branch: the If on use_cache_branch is replaced by the then-branch's nodes
    /// (which read the outer weights), their outputs renamed to the If's.
    /// </summary>
    private static bool KeepCachedBranch(GraphProto graph, out string? refusal)
    {
        refusal = null;
        var conditionals = graph.Node.Where(n => n.OpType == "If").ToList();
        if (conditionals.Count == 0)
        {
            return true;
        }
        if (conditionals.Count != 1 || !graph.Input.Any(i => i.Name == "use_cache_branch"))
        {
            refusal = "its graph branches on something other than use_cache_branch";
            return false;
        }
        var conditional = conditionals[0];
        var branch = conditional.Attribute.First(a => a.Name == "then_branch").G;
        var position = graph.Node.IndexOf(conditional);
        graph.Node.RemoveAt(position);
        // The branch's outputs take the If's names, so a present is still written by the Concat the match looks for.
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < conditional.Output.Count; i++)
        {
            names[branch.Output[i].Name] = conditional.Output[i];
        }
        var nodes = branch.Node.ToList();
        foreach (var node in nodes)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                node.Input[i] = names.GetValueOrDefault(node.Input[i], node.Input[i]);
            }
            for (var i = 0; i < node.Output.Count; i++)
            {
                node.Output[i] = names.GetValueOrDefault(node.Output[i], node.Output[i]);
            }
        }
        for (var i = nodes.Count - 1; i >= 0; i--)
        {
            graph.Node.Insert(position, nodes[i]);
        }
        graph.Initializer.AddRange(branch.Initializer);
        return true;
    }

    /// <summary>Keeps the nodes the outputs need (in order), and the inputs and weights they read.</summary>
    private static void Prune(GraphProto graph)
    {
        var needed = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (node.Output.Any(needed.Contains))
            {
                kept.Add(node);
                needed.UnionWith(OnnxGraph.Reads(node));
            }
        }
        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        foreach (var input in graph.Input.Where(i => !needed.Contains(i.Name)).ToList())
        {
            graph.Input.Remove(input);
        }
        foreach (var initializer in graph.Initializer.Where(i => !needed.Contains(i.Name)).ToList())
        {
            graph.Initializer.Remove(initializer);
        }
        graph.ValueInfo.Clear(); // the shapes of the old attention's tensors; ONNX Runtime infers the new ones
    }

    /// <summary>The number of query heads from config.json, or null with why the model's attention is not fused.</summary>
    private static int? ReadHeads(string folder, out string? refusal)
    {
        refusal = null;
        var path = Path.Combine(folder, "config.json");
        if (!File.Exists(path))
        {
            refusal = "it has no config.json to read its number of attention heads from";
            return null;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var family = root.TryGetProperty("model_type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString()! : "";
        if (UnfusedFamilies.Contains(family))
        {
            refusal = $"{family} models add to their attention scores what the fused operator does not (a position bias, a soft cap or alternating windows)";
            return null;
        }
        if (root.TryGetProperty("sliding_window", out var window) && window.ValueKind == JsonValueKind.Number
            && !(root.TryGetProperty("use_sliding_window", out var use) && use.ValueKind == JsonValueKind.False))
        {
            refusal = $"it attends through a sliding window of {window.GetInt64()} positions";
            return null;
        }
        foreach (var name in new[] { "num_attention_heads", "n_head" })
        {
            if (root.TryGetProperty(name, out var heads) && heads.ValueKind == JsonValueKind.Number && heads.GetInt32() > 0)
            {
                return heads.GetInt32();
            }
        }
        refusal = "config.json gives no num_attention_heads";
        return null;
    }

    private static NodeProto Node(string op, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    private static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
