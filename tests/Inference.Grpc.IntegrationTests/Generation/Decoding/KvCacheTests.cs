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

        using var cached = new OrtValueDecoderRunner(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize, runOptions);
        using var full = new OrtValueDecoderRunner(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize, runOptions, useCache: false);
        var (cachedTokens, cachedLogits) = Greedy(cached, prompt);
        var (fullTokens, fullLogits) = Greedy(full, prompt);

        Assert.Equal(fullTokens, cachedTokens);
        Assert.Equal(prompt.Length + Steps - 1, cached.PastLength);
        AssertClose(fullLogits, cachedLogits);
    }

    [Fact]
    public async Task The_iobinding_gpu_path_run_with_cpu_memory_equals_the_ortvalue_path()
    {
        var model = await host.TinyGptAsync();
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

    [Fact]
    public async Task The_shipped_model_is_loaded_with_the_binding_its_provider_selects()
    {
        var model = await host.TinyGptAsync();
        Assert.Equal(ExecutionProviderKind.Cpu, model.Session.Provider);
        Assert.Equal(KvCacheBinding.OrtValues, model.Binding);
        Assert.Equal(4, model.Layout.Layers);
        Assert.True(model.Layout.HasPositionIds);
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
