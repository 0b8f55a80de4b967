using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Errors;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Repository;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.BuiltModels;

/// <summary>
/// Every layout of the model builder's tiny model served through the server's own path: the model repository loads
/// it, its GeneratorModel reads the layout, and its scheduler decodes greedy sequences, alone and batched.
/// </summary>
public sealed class BuiltTinyLayoutServingTests(BuiltTinyRepositoryHost host) : IClassFixture<BuiltTinyRepositoryHost>
{
    private const int NewTokens = 24;

    public static TheoryData<string, KvCacheFormat> FloatLayouts => new()
    {
        // Optimum exports with position_ids run with their attention fused at load (Generation:FuseAttention, on by
        // default); AttentionFusionServingTests serves them as exported too.
        { "optimum-fp32", KvCacheFormat.SharedBuffer },
        { "optimum-fp32-no-position-ids", KvCacheFormat.Concatenated },
        { "optimum-merged-fp32", KvCacheFormat.SharedBuffer },
        { "optimum-fp16", KvCacheFormat.SharedBuffer },
        { "genai-fp32", KvCacheFormat.SharedBuffer },
        { "genai-int4-dequantized", KvCacheFormat.SharedBuffer },
    };

    [Theory]
    [MemberData(nameof(FloatLayouts))]
    public async Task A_float_layout_served_gives_the_greedy_ids_of_its_weights(string layout, KvCacheFormat format)
    {
        var model = await host.ModelAsync(layout);
        Assert.Equal(format, model.Layout.Format);
        foreach (var reference in BuiltTinyRepositoryHost.References(layout))
        {
            // genai-int4-dequantized holds the int4 model's weights, not PyTorch's: its ids are ONNX Runtime's on the same file.
            var expected = layout == "genai-int4-dequantized" ? Direct(layout, reference.Prompt) : reference.Generated;
            Assert.Equal(expected, await GenerateAsync(model, reference.Prompt));
        }
    }

    /// <summary>
    /// Quantized weights cannot give PyTorch's float32 ids exactly (BuiltTinyModelTests holds their logits within a
    /// stated tolerance of the float32 weights): served, they give what ONNX Runtime gives run directly on the same
    /// file, and int4 gives exactly the ids of the same weights dequantized to float32, for every prompt.
    /// </summary>
    [Theory]
    [InlineData("optimum-int8")]
    [InlineData("genai-int4")]
    public async Task A_quantized_layout_served_gives_the_greedy_ids_onnx_runtime_gives_on_its_file(string layout)
    {
        var model = await host.ModelAsync(layout);
        foreach (var reference in BuiltTinyRepositoryHost.References(layout))
        {
            Assert.Equal(Direct(layout, reference.Prompt), await GenerateAsync(model, reference.Prompt));
        }
    }

    [Fact]
    public async Task Int4_served_gives_exactly_the_ids_of_its_weights_dequantized()
    {
        var int4 = await host.ModelAsync("genai-int4");
        var dequantized = await host.ModelAsync("genai-int4-dequantized");
        foreach (var reference in BuiltTinyRepositoryHost.References("genai-int4"))
        {
            Assert.Equal(await GenerateAsync(dequantized, reference.Prompt), await GenerateAsync(int4, reference.Prompt));
        }
    }

    /// <summary>
    /// Four models of both layouts, two streams each, all at once: each model batches its two streams (rows of
    /// different lengths in one run: right-aligned under padding for Optimum, left-aligned in one shared buffer for
    /// genai) and every stream gets the ids it gets alone. Except optimum-int8: its DynamicQuantizeLinear picks one
    /// scale for the whole activation tensor, every row of the batch together, so a row's logits move with the other
    /// rows (by up to the int8 tolerance, as against float32); every id it picks batched must then be within twice
    /// that tolerance of the best logit the same file gives alone on the same context.
    /// </summary>
    [Fact]
    public async Task Eight_streams_mixing_layouts_across_models_keep_each_models_ids()
    {
        string[] models = ["optimum-fp32", "optimum-int8", "genai-fp32", "genai-int4"];
        var watchers = models.ToDictionary(m => m, m => new GenerationMeterWatcher(host.Metrics, m));
        try
        {
            var streams = new List<(string Model, int[] Prompt, int[] Expected)>();
            foreach (var name in models)
            {
                var model = await host.ModelAsync(name);
                foreach (var reference in BuiltTinyRepositoryHost.References(name).Take(2))
                {
                    streams.Add((name, reference.Prompt, await GenerateAsync(model, reference.Prompt)));
                }
            }
            Assert.Equal(8, streams.Count);
            var catalog = await Task.WhenAll(streams.Select(s => host.ModelAsync(s.Model)));
            var results = await Task.WhenAll(streams.Select((s, i) => GenerateAsync(catalog[i], s.Prompt, NewTokens)));
            for (var i = 0; i < streams.Count; i++)
            {
                if (streams[i].Model == "optimum-int8")
                {
                    AssertWithinMargin(streams[i].Model, streams[i].Prompt, results[i], 2 * Int8LogitTolerance);
                    continue;
                }
                Assert.True(streams[i].Expected.SequenceEqual(results[i]),
                    $"{streams[i].Model}, a {streams[i].Prompt.Length}-id prompt: {string.Join(",", results[i])} batched, {string.Join(",", streams[i].Expected)} alone");
            }
            foreach (var (name, watcher) in watchers)
            {
                Assert.True(watcher.LargestStep == 2, $"{name}'s two streams shared decoder steps (largest step {watcher.LargestStep})");
            }
        }
        finally
        {
            foreach (var watcher in watchers.Values) watcher.Dispose();
        }
    }

    [Fact]
    public async Task A_request_without_parameters_gets_the_search_defaults_of_genai_config()
    {
        var model = await host.ModelAsync("genai-fp32");
        var resolved = host.Services.GetRequiredService<GenerationRequestValidator>().Resolve(model, new RequestedParameters(), promptTokens: 3);

        // genai_config.json: search.temperature 0.7, top_k 50, top_p 0.9, do_sample; model.context_length 1024, eos [998, 996].
        Assert.Equal(0.7f, resolved.Temperature);
        Assert.Equal(50, resolved.TopK);
        Assert.Equal(0.9f, resolved.TopP);
        Assert.Equal(1024, model.ContextLength);
        Assert.Equal([996, 998], model.Defaults.EosTokenIds.Order());
        Assert.NotNull(model.Genai);
    }

    [Fact]
    public async Task External_data_is_found_beside_the_graph_not_in_the_working_directory()
    {
        await host.ClientAsync();
        foreach (var (layout, file) in new[] { ("optimum-fp32", "model.onnx_data"), ("optimum-merged-fp32", "decoder_model_merged.onnx_data"), ("genai-int4", "model.onnx.data") })
        {
            var model = await host.ModelAsync(layout);
            Assert.True(File.Exists(Path.Combine(model.Directory, file)));
            Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, file)), $"{file} is not in the working directory {Environment.CurrentDirectory}");
            Assert.NotEqual(Path.GetFullPath(model.Directory), Path.GetFullPath(Environment.CurrentDirectory));
        }
    }

    [Theory]
    [InlineData(BuiltTinyRepositoryHost.MissingDataModel, "model.onnx keeps its weights in the external data file 'model.onnx.data', which is missing beside it.")]
    [InlineData(BuiltTinyRepositoryHost.TruncatedDataModel, "The external data file 'model.onnx_data' of model.onnx is truncated: 1,986,048 bytes, its tensors need 3,972,096.")]
    public async Task A_model_whose_external_data_is_missing_or_truncated_fails_alone_naming_the_file(string broken, string reason)
    {
        await host.ClientAsync();
        var error = await Assert.ThrowsAsync<InferenceException>(() => host.ModelAsync(broken));
        Assert.Equal(InferenceErrorReason.Unavailable, error.Reason);
        Assert.Equal($"Model '{broken}' failed to load: {reason}", error.Message);

        var serving = await host.ModelAsync("genai-fp32");
        var reference = BuiltTinyRepositoryHost.References("genai-fp32")[0];
        Assert.Equal(reference.Generated, await GenerateAsync(serving, reference.Prompt));
    }

    /// <summary>As BuiltTinyModelTests: int8 logits stay within 2.0 of the float32 weights' (measured 1.69).</summary>
    private const float Int8LogitTolerance = 2.0f;

    /// <summary>Each of <paramref name="ids"/>, fed to the file alone as context, is within <paramref name="margin"/> of the best logit there.</summary>
    private static void AssertWithinMargin(string layout, int[] prompt, int[] ids, float margin)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(Path.Combine(BuiltTinyRepositoryHost.Folder(layout), "model.onnx"), options);
        long[] forced = [.. ids.Select(id => (long)id)];
        var alone = LayoutGreedyDecoder.Optimum(session, [.. prompt.Select(id => (long)id)], forced.Length, new HashSet<long>(), forced);
        Assert.Equal(ids.Length, alone.Logits.Count);
        for (var step = 0; step < ids.Length; step++)
        {
            var logits = alone.Logits[step];
            var gap = logits.Max() - logits[ids[step]];
            Assert.True(gap <= margin, $"{layout} step {step}: id {ids[step]} is {gap} below the best logit (margin {margin})");
        }
    }

    /// <summary>Greedy ids straight on ONNX Runtime, driven as the layout expects (not through the server).</summary>
    private static int[] Direct(string layout, int[] prompt)
    {
        var folder = BuiltTinyRepositoryHost.Folder(layout);
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(Path.Combine(folder, "model.onnx"), options);
        var eos = new HashSet<long> { 996, 998 };
        long[] ids = [.. prompt.Select(id => (long)id)];
        var decoded = layout.StartsWith("genai-", StringComparison.Ordinal)
            ? LayoutGreedyDecoder.Genai(session, ids, NewTokens, eos)
            : LayoutGreedyDecoder.Optimum(session, ids, NewTokens, eos);
        return [.. decoded.Ids.Select(id => (int)id)];
    }

    internal static async Task<int[]> GenerateAsync(GeneratorModel model, int[] prompt, int maxNewTokens = NewTokens)
    {
        var sequence = model.Scheduler.Submit(prompt, Greedy(maxNewTokens));
        var ids = new List<int>();
        await foreach (var token in sequence.Tokens.ReadAllAsync())
        {
            ids.Add(token.Id);
        }
        return [.. ids];
    }

    internal static SamplingParameters Greedy(int maxNewTokens) => new(maxNewTokens, 0f, 1f, 0, 1f, 0, [], IgnoreEos: false);
}
