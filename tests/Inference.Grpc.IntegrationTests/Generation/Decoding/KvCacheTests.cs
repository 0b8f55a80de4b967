using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.IntegrationTests.Generation.Decoding;

public sealed class KvCacheTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    private const int Steps = 40;

    [Fact]
    public async Task Decoding_with_the_kv_cache_equals_recomputing_the_whole_sequence_each_step()
    {
        var model = await host.TinyGptAsync();
        using var runOptions = new RunOptions();
        var prompt = model.Tokenizer.Encode("Once upon a time, Anna and Ben went to").Select(i => (long)i).ToArray();

        using var step = new OrtValueDecoderStep(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize);
        var (cachedTokens, cachedLogits, cachedLength) = Greedy(step, prompt, runOptions);
        var (fullTokens, fullLogits) = GreedyRecomputing(step, prompt, runOptions);

        Assert.Equal(fullTokens, cachedTokens);
        Assert.Equal(prompt.Length + Steps - 1, cachedLength);
        AssertClose(fullLogits, cachedLogits);
    }

    [Fact]
    public async Task The_iobinding_gpu_path_run_with_cpu_memory_equals_the_ortvalue_path()
    {
        var model = await host.TinyGptAsync();
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

    [Fact]
    public async Task The_shipped_model_is_loaded_with_the_binding_its_provider_selects()
    {
        var model = await host.TinyGptAsync();
        Assert.Equal(ExecutionProviderKind.Cpu, model.Session.Provider);
        Assert.Equal(KvCacheBinding.OrtValues, model.Binding);
        Assert.IsType<HostKvCacheRebuilder>(model.CacheRebuilder);
        Assert.Equal(4, model.Layout.Layers);
        Assert.True(model.Layout.HasPositionIds);
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
