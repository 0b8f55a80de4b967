using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.Decoding;

public sealed class KvCacheTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    private const int Steps = 40;

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task Decoding_with_the_kv_cache_equals_recomputing_the_whole_sequence_each_step(string name)
    {
        var model = await host.ModelAsync(name);
        using var runOptions = new RunOptions();
        var prompt = model.Tokenizer.Encode("Once upon a time, Anna and Ben went to").Select(i => (long)i).ToArray();

        using var cached = new OrtValueDecoderRunner(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize, runOptions);
        using var full = new OrtValueDecoderRunner(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize, runOptions, useCache: false);
        var (cachedTokens, cachedLogits) = Greedy(cached, prompt);
        var (fullTokens, fullLogits) = Greedy(full, prompt);

        Assert.Equal(fullTokens, cachedTokens);
        Assert.Equal(prompt.Length + Steps - 1, cached.PastLength);
        AssertClose(fullLogits, cachedLogits);
    }

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task The_iobinding_gpu_path_run_with_cpu_memory_equals_the_ortvalue_path(string name)
    {
        var model = await host.ModelAsync(name);
        using var runOptions = new RunOptions();
        var prompt = model.Tokenizer.Encode("The dog").Select(i => (long)i).ToArray();

        using var bound = new IoBindingDecoderRunner(model.Session.Session, model.Layout, OrtMemoryInfo.DefaultInstance,
            model.ContextLength, model.VocabularySize, runOptions);
        using var plain = new OrtValueDecoderRunner(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize, runOptions);
        var (boundTokens, boundLogits) = Greedy(bound, prompt);
        var (plainTokens, plainLogits) = Greedy(plain, prompt);

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

        var past = layout.PastNames.Select(_ => layout.CreateEmptyCache()).ToArray();
        var prefill = Run(model, runOptions, inputs.Create(layout, prompt, 0), past);
        AssertShapes(prefill, model, tokens: prompt.Length, pastLength: prompt.Length);

        var next = TokenSampler.ArgMax(LastLogits(prefill[0], model.VocabularySize));
        var step = Run(model, runOptions, inputs.Create(layout, [next], prompt.Length), [.. prefill.Skip(1)]);
        AssertShapes(step, model, tokens: 1, pastLength: prompt.Length + 1);

        foreach (var value in past.Concat(prefill).Concat(step))
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

    private static (List<int> Tokens, List<float[]> Logits) Greedy(IDecoderRunner runner, long[] prompt)
    {
        var tokens = new List<int>();
        var logits = new List<float[]>();
        var input = prompt;
        for (var i = 0; i < Steps; i++)
        {
            var row = runner.Forward(input).ToArray();
            logits.Add(row);
            var next = TokenSampler.ArgMax(row);
            tokens.Add(next);
            input = [next];
        }
        return (tokens, logits);
    }

    private static void AssertClose(List<float[]> expected, List<float[]> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var step = 0; step < expected.Count; step++)
        {
            for (var i = 0; i < expected[step].Length; i++)
            {
                Assert.True(Math.Abs(expected[step][i] - actual[step][i]) < 1e-3f,
                    $"step {step}, token {i}: {expected[step][i]} vs {actual[step][i]}");
            }
        }
    }
}
