using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.IntegrationTests.Generation.BuiltModels;
using MlStack.Inference.IntegrationTests.Generation.Decoding;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.AttentionFusion;

/// <summary>
/// Generation:FuseAttention end to end: the shipped Optimum exports are fused at load by default and give the greedy
/// ids they give as exported (setting off), alone and as rows of different lengths sharing decoder steps. The PyTorch
/// reference ids of the fused models are ReferenceGenerationTests' and BuiltTinyLayoutServingTests'.
/// </summary>
public sealed class AttentionFusionServingTests(GenerationHost fusedHost, ExportedAttentionHost exportedHost)
    : IClassFixture<GenerationHost>, IClassFixture<ExportedAttentionHost>
{
    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task An_optimum_export_is_fused_at_load_unless_the_setting_is_off(string name)
    {
        var fused = await fusedHost.ModelAsync(name);
        var exported = await exportedHost.ModelAsync(name);

        Assert.True(fused.AttentionFused);
        Assert.Equal(KvCacheFormat.SharedBuffer, fused.Layout.Format);
        Assert.False(exported.AttentionFused);
        Assert.Equal(KvCacheFormat.Concatenated, exported.Layout.Format);
        Assert.Equal(exported.Layout.PastNames, fused.Layout.PastNames);
        Assert.Equal(exported.Layout.HasPositionIds, fused.Layout.HasPositionIds);
    }

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task The_fused_model_batched_gives_the_greedy_ids_of_the_export_alone(string name)
    {
        var fused = await fusedHost.ModelAsync(name);
        var exported = await exportedHost.ModelAsync(name);
        var prompts = BatchedDecodingTests.Prompts.Select(p => fused.Tokenizer.Encode(p).ToArray()).ToArray();
        var alone = new List<int[]>();
        foreach (var prompt in prompts)
        {
            alone.Add(await BuiltTinyLayoutServingTests.GenerateAsync(exported, prompt, 32));
        }
        using var watcher = new GenerationMeterWatcher(fusedHost.Metrics, name);

        var batched = await Task.WhenAll(prompts.Select(p => BuiltTinyLayoutServingTests.GenerateAsync(fused, p, 32)));

        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.True(alone[i].SequenceEqual(batched[i]), $"\"{BatchedDecodingTests.Prompts[i]}\": {string.Join(",", batched[i])} fused and batched, {string.Join(",", alone[i])} exported alone");
        }
        Assert.True(watcher.LargestStep > 1, $"the fused model's streams shared decoder steps (largest step {watcher.LargestStep})");
    }
}
