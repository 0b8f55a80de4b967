using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.IntegrationTests.Generation.AttentionFusion;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.Decoding;

/// <summary>The concatenated cache of the shipped models run as exported (fused at load, they read a shared buffer: SharedBufferDecodingTests).</summary>
public sealed class KvCacheTests(ExportedAttentionHost host) : IClassFixture<ExportedAttentionHost>
{
    private const int Steps = 40;

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task Decoding_with_the_kv_cache_equals_recomputing_the_whole_sequence_each_step(string name)
    {
        var model = await host.ModelAsync(name);
        using var runOptions = new RunOptions();
        var prompt = model.Tokenizer.Encode("Once upon a time, Anna and Ben went to").Select(i => (long)i).ToArray();

        using var step = new OrtValueDecoderStep(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize);
        var (cachedTokens, cachedLogits, cachedLength) = Greedy(step, prompt, runOptions);
        var (fullTokens, fullLogits) = GreedyRecomputing(step, prompt, runOptions);

        Assert.Equal(fullTokens, cachedTokens);
        Assert.Equal(prompt.Length + Steps - 1, cachedLength);
        AssertClose(fullLogits, cachedLogits);
    }

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task The_iobinding_gpu_path_run_with_cpu_memory_equals_the_ortvalue_path(string name)
    {
        var model = await host.ModelAsync(name);
        using var runOptions = new RunOptions();
        var prompt = model.Tokenizer.Encode("The dog").Select(i => (long)i).ToArray();

        using var bound = new IoBindingDecoderStep(model.Session.Session, model.Layout, OrtMemoryInfo.DefaultInstance, model.ContextLength, model.VocabularySize);
        using var plain = new OrtValueDecoderStep(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize);
        var (boundTokens, boundLogits, _) = Greedy(bound, prompt, runOptions);
        var (plainTokens, plainLogits, _) = Greedy(plain, prompt, runOptions);

        Assert.Equal(plainTokens, boundTokens);
        AssertClose(plainLogits, boundLogits);
    }

    [Theory]
    [InlineData(KvCacheBindingPreference.Auto, ExecutionProviderKind.Cuda, KvCacheBinding.IoBinding)]
    [InlineData(KvCacheBindingPreference.Auto, ExecutionProviderKind.Cpu, KvCacheBinding.OrtValues)]
    [InlineData(KvCacheBindingPreference.OrtValue, ExecutionProviderKind.Cuda, KvCacheBinding.OrtValues)]
    [InlineData(KvCacheBindingPreference.IoBinding, ExecutionProviderKind.Cpu, KvCacheBinding.IoBinding)]
    public void The_cache_stays_on_the_device_under_cuda_unless_configured_otherwise(KvCacheBindingPreference setting, ExecutionProviderKind provider, KvCacheBinding expected) =>
        Assert.Equal(expected, KvCacheBindingSelector.Select(setting, provider));

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task The_shipped_model_is_loaded_with_the_binding_its_provider_selects(string name)
    {
        var model = await host.ModelAsync(name);
        Assert.Equal(ExecutionProviderKind.Cpu, model.Session.Provider);
        Assert.Equal(KvCacheBinding.OrtValues, model.Binding);
        Assert.IsType<HostKvCacheRebuilder>(model.CacheRebuilder);
    }

    // DecoderLayout reads layers, key/value heads and head size from the ONNX graph; config.json says what the
    // model was built with (Llama/Qwen2 names, GPT-2 names for tiny-gpt). They must agree, and the cache the
    // graph returns must have the layout's shape: with grouped-query attention that is the key/value head count.
    [Fact]
    public async Task Tiny_llama_has_fewer_key_value_heads_than_attention_heads()
    {
        var model = await host.ModelAsync("tiny-llama");
        var config = Architecture.Read("tiny-llama");

        Assert.Equal(4, config.Heads);
        Assert.Equal(2, model.Layout.KvHeads);
        Assert.Equal(0, config.Heads % model.Layout.KvHeads);
        // The cache is narrower than the hidden state: each key/value head serves two query heads.
        Assert.Equal(config.Hidden / 2, model.Layout.KvHeads * model.Layout.HeadDim);
    }

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task The_layout_read_from_the_graph_matches_config_json(string name)
    {
        var model = await host.ModelAsync(name);
        var config = Architecture.Read(name);

        Assert.Equal(config.Layers, model.Layout.Layers);
        Assert.Equal(config.KvHeads, model.Layout.KvHeads);
        Assert.Equal(config.HeadDim, model.Layout.HeadDim);
        Assert.True(model.Layout.HasPositionIds);
        Assert.False(model.Layout.HasUseCacheBranch);
    }

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task Present_key_values_have_the_layouts_cache_shape_at_prefill_and_after(string name)
    {
        var model = await host.ModelAsync(name);
        var layout = model.Layout;
        var prompt = model.Tokenizer.Encode("The cat sleeps in the sun.").Select(i => (long)i).ToArray();
        var inputs = new DecoderInputs(model.ContextLength);
        using var runOptions = new RunOptions();

        using var empty = KvCache.Empty(layout, 1);
        var prefill = Run(model, runOptions, inputs.Create(layout, empty, prompt, prompt.Length), empty.Values);
        AssertShapes(prefill, model, tokens: prompt.Length, pastLength: prompt.Length);

        var next = TokenSampler.ArgMax(LastLogits(prefill[0], model.VocabularySize));
        using var past = new KvCache([.. prefill.Skip(1)], [prompt.Length], prompt.Length);
        var step = Run(model, runOptions, inputs.Create(layout, past, [next], 1), past.Values);
        AssertShapes(step, model, tokens: 1, pastLength: prompt.Length + 1);

        prefill[0].Dispose();
        foreach (var value in step)
        {
            value.Dispose();
        }
    }

    private static OrtValue[] Run(GeneratorModel model, RunOptions runOptions, List<(string Name, OrtValue Value)> tokens, OrtValue[] past)
    {
        var names = tokens.Select(t => t.Name).Concat(model.Layout.PastNames).ToArray();
        var values = tokens.Select(t => t.Value).Concat(past).ToArray();
        // Not disposed as a collection: the caller feeds the presents back and disposes every value.
        var outputs = model.Session.Session.Run(runOptions, names, values, ["logits", .. model.Layout.PresentNames]);
        foreach (var (_, value) in tokens)
        {
            value.Dispose();
        }
        return [.. outputs];
    }

    private static void AssertShapes(OrtValue[] outputs, GeneratorModel model, int tokens, int pastLength)
    {
        Assert.Equal([1L, tokens, model.VocabularySize], outputs[0].GetTensorTypeAndShape().Shape);
        Assert.Equal(model.Layout.PresentNames.Length, outputs.Length - 1);
        foreach (var present in outputs.Skip(1))
        {
            Assert.Equal([1L, model.Layout.KvHeads, pastLength, model.Layout.HeadDim], present.GetTensorTypeAndShape().Shape);
        }
    }

    private static float[] LastLogits(OrtValue logits, int vocabulary) => logits.GetTensorDataAsSpan<float>()[^vocabulary..].ToArray();

    /// <summary>The architecture config.json states, under Llama/Qwen2 names or GPT-2 ones.</summary>
    private sealed record Architecture(int Layers, int Heads, int KvHeads, int HeadDim, int Hidden)
    {
        public static Architecture Read(string model)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.GeneratorVersionDirectory(model), "config.json")));
            var c = json.RootElement;
            int? Int(string property) => c.TryGetProperty(property, out var v) ? v.GetInt32() : null;
            var hidden = Int("hidden_size") ?? Int("n_embd")!.Value;
            var heads = Int("num_attention_heads") ?? Int("n_head")!.Value;
            return new Architecture(
                Int("num_hidden_layers") ?? Int("n_layer")!.Value,
                heads,
                Int("num_key_value_heads") ?? heads,
                Int("head_dim") ?? hidden / heads,
                hidden);
        }
    }

    /// <summary>Greedy decoding of one sequence with its cache: prompt in one run, then one token per run.</summary>
    internal static (List<int> Tokens, List<float[]> Logits, int Length) Greedy(DecoderStep step, long[] prompt, RunOptions runOptions, int steps = Steps)
    {
        var tokens = new List<int>();
        var logits = new List<float[]>();
        var cache = KvCache.Empty(step.Layout, 1);
        try
        {
            long[] input = prompt;
            for (var i = 0; i < steps; i++)
            {
                cache = step.Run(cache, input, input.Length, runOptions);
                var row = step.Logits(0).ToArray();
                logits.Add(row);
                var next = TokenSampler.ArgMax(row);
                tokens.Add(next);
                input = [next];
            }
            return (tokens, logits, cache.Lengths[0]);
        }
        finally
        {
            cache.Dispose();
        }
    }

    /// <summary>The reference: every step recomputes the whole sequence from an empty cache.</summary>
    private static (List<int> Tokens, List<float[]> Logits) GreedyRecomputing(DecoderStep step, long[] prompt, RunOptions runOptions)
    {
        var tokens = new List<int>();
        var logits = new List<float[]>();
        var history = prompt.ToList();
        for (var i = 0; i < Steps; i++)
        {
            using var cache = step.Run(KvCache.Empty(step.Layout, 1), history.ToArray(), history.Count, runOptions);
            var row = step.Logits(0).ToArray();
            logits.Add(row);
            var next = TokenSampler.ArgMax(row);
            tokens.Add(next);
            history.Add(next);
        }
        return (tokens, logits);
    }

    internal static void AssertClose(List<float[]> expected, List<float[]> actual, float tolerance = 1e-3f)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var step = 0; step < expected.Count; step++)
        {
            for (var i = 0; i < expected[step].Length; i++)
            {
                Assert.True(Math.Abs(expected[step][i] - actual[step][i]) < tolerance,
                    $"step {step}, token {i}: {expected[step][i]} vs {actual[step][i]}");
            }
        }
    }
}
