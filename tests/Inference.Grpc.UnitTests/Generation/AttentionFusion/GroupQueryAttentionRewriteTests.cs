using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation.AttentionFusion;
using MlStack.Testing;
using Onnx;

namespace MlStack.Inference.UnitTests.Generation.AttentionFusion;

/// <summary>
/// The load-time rewrite on real exports: the model builder's Optimum layouts (tests/models/built-tiny) and the shipped
/// demo decoders. Each rewritten graph is opened by ONNX Runtime (its weights read from the external data beside the
/// original file); that it decodes the same greedy ids is checked through the server (BuiltTinyLayoutServingTests,
/// AttentionFusionServingTests).
/// </summary>
public sealed class GroupQueryAttentionRewriteTests
{
    public static TheoryData<string> FusedModels => new()
    {
        Built("optimum-fp32"), Built("optimum-merged-fp32"), Built("optimum-fp16"),
        RepositoryPaths.GeneratorVersionDirectory("tiny-gpt"), RepositoryPaths.GeneratorVersionDirectory("tiny-llama"),
    };

    [Theory]
    [MemberData(nameof(FusedModels))]
    public void Every_layer_of_an_optimum_export_becomes_one_group_query_attention_that_onnx_runtime_opens(string folder)
    {
        var file = File.Exists(Path.Combine(folder, "decoder_model_merged.onnx")) ? "decoder_model_merged.onnx" : "model.onnx";
        var fused = GroupQueryAttentionRewrite.Rewrite(Path.Combine(folder, file));

        Assert.Null(fused.Refusal);
        var model = ModelProto.Parser.ParseFrom(fused.Model);
        var layers = model.Graph.Input.Count(i => i.Name.StartsWith("past_key_values.", StringComparison.Ordinal)) / 2;
        Assert.Equal(layers, fused.Layers);
        Assert.Equal(layers, model.Graph.Node.Count(n => n.OpType == "GroupQueryAttention" && n.Domain == "com.microsoft"));
        // The old attention is gone: nothing concatenates the cache, builds the causal mask's softmax, or branches.
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "Softmax" or "If");
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Concat" && n.Input.Any(i => i.StartsWith("past_key_values.", StringComparison.Ordinal)));
        Assert.Equal(["attention_mask", "input_ids", "position_ids"],
            model.Graph.Input.Select(i => i.Name).Where(n => !n.StartsWith("past_key_values.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        using var session = Sessions().Create(fused.Model!, folder);
        Assert.Contains("present.0.key", session.Session.OutputMetadata.Keys);
    }

    [Fact]
    public void An_export_whose_positions_come_from_its_mask_is_served_as_exported()
    {
        var fused = GroupQueryAttentionRewrite.Rewrite(Path.Combine(Built("optimum-fp32-no-position-ids"), "model.onnx"));

        Assert.Null(fused.Model);
        Assert.Equal("it has no position_ids input: its positions come from the right-aligned attention_mask", fused.Refusal);
    }

    [Fact]
    public void A_dynamically_quantized_export_is_served_as_exported()
    {
        var fused = GroupQueryAttentionRewrite.Rewrite(Path.Combine(Built("optimum-int8"), "model.onnx"));

        Assert.Null(fused.Model);
        Assert.Equal("its activations are quantized at run time (DynamicQuantizeLinear): a fused attention's float rounding can move a value across an int8 step and change greedy ids", fused.Refusal);
    }

    [Theory]
    [InlineData("""{ "model_type": "mistral", "num_attention_heads": 4, "sliding_window": 4096 }""", "it attends through a sliding window of 4096 positions")]
    [InlineData("""{ "model_type": "bloom", "n_head": 4 }""", "bloom models add to their attention scores what the fused operator does not (a position bias, a soft cap or alternating windows)")]
    [InlineData("""{ "model_type": "qwen2" }""", "config.json gives no num_attention_heads")]
    public void A_model_whose_attention_the_operator_would_change_is_served_as_exported(string config, string reason)
    {
        using var folder = new TestDirectory("mlstack-fusion-");
        File.Copy(Path.Combine(Built("optimum-merged-fp32"), "decoder_model_merged.onnx"), Path.Combine(folder.Path, "model.onnx"));
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), config);

        var fused = GroupQueryAttentionRewrite.Rewrite(Path.Combine(folder.Path, "model.onnx"));

        Assert.Null(fused.Model);
        Assert.Equal(reason, fused.Refusal);
    }

    [Fact]
    public void A_sliding_window_that_is_off_does_not_stop_the_fusion()
    {
        using var folder = new TestDirectory("mlstack-fusion-");
        foreach (var file in Directory.EnumerateFiles(Built("optimum-merged-fp32")))
        {
            File.Copy(file, Path.Combine(folder.Path, Path.GetFileName(file)));
        }
        // Qwen2's published config: a window that use_sliding_window turns off.
        File.WriteAllText(Path.Combine(folder.Path, "config.json"),
            """{ "model_type": "qwen2", "num_attention_heads": 4, "sliding_window": 32768, "use_sliding_window": false }""");

        Assert.Null(GroupQueryAttentionRewrite.Rewrite(Path.Combine(folder.Path, "decoder_model_merged.onnx")).Refusal);
    }

    [Fact]
    public void A_layer_whose_scores_pass_an_op_the_pattern_does_not_know_is_refused_naming_it()
    {
        var folder = Built("optimum-fp32");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, "model.onnx")));
        // A soft cap (Gemma 2's tanh) between the scores and the softmax of every layer.
        foreach (var softmax in model.Graph.Node.Where(n => n.OpType == "Softmax").ToList())
        {
            var capped = softmax.Input[0] + "/capped";
            var tanh = new NodeProto { OpType = "Tanh", Name = "soft_cap", Input = { softmax.Input[0] }, Output = { capped } };
            model.Graph.Node.Insert(model.Graph.Node.IndexOf(softmax), tanh);
            softmax.Input[0] = capped;
        }

        var fused = GroupQueryAttentionRewrite.Rewrite(model, heads: 4);

        Assert.Null(fused.Model);
        Assert.Equal("the scores of past_key_values.0.key's layer reach a Tanh (soft_cap) before the softmax", fused.Refusal);
    }

    [Fact]
    public void On_cuda_only_a_float16_export_is_fused()
    {
        // The CUDA kernel of GroupQueryAttention is float16/bfloat16 only (decided from the graph; no GPU needed).
        var float32 = GroupQueryAttentionRewrite.Rewrite(Path.Combine(Built("optimum-fp32"), "model.onnx"), ExecutionProviderKind.Cuda);
        var float16 = GroupQueryAttentionRewrite.Rewrite(Path.Combine(Built("optimum-fp16"), "model.onnx"), ExecutionProviderKind.Cuda);

        Assert.Equal("on CUDA, GroupQueryAttention runs float16 and bfloat16 only, and this export's cache is float32", float32.Refusal);
        Assert.NotNull(float16.Model);
    }

    [Fact]
    public void A_graph_that_is_not_a_decoder_is_refused_not_thrown()
    {
        using var folder = new TestDirectory("mlstack-fusion-");
        File.WriteAllText(Path.Combine(folder.Path, "config.json"), """{ "num_attention_heads": 4 }""");
        File.WriteAllBytes(Path.Combine(folder.Path, "model.onnx"), [0xff, 0xff, 0xff, 0x01]);

        var fused = GroupQueryAttentionRewrite.Rewrite(Path.Combine(folder.Path, "model.onnx"));

        Assert.Null(fused.Model);
        Assert.StartsWith("its graph cannot be read", fused.Refusal);
    }

    private static string Built(string layout) => Path.Combine(RepositoryPaths.Root, "tests", "models", "built-tiny", layout);

    private static OrtSessionFactory Sessions() =>
        new(Options.Create(new ExecutionOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpNumThreads = 1 }), NullLogger<OrtSessionFactory>.Instance);
}
