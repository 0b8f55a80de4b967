using MlStack.Inference.Generation.Decoding;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.BuiltModels;

/// <summary>
/// genai-fp32 and genai-int4 served as under CUDA (Generation:KvCacheBinding IoBinding: the shared buffers are made
/// and rebuilt by the gather graph in the cache's memory), on host memory, so the device path runs without a GPU.
/// </summary>
public sealed class BuiltTinyGenaiIoBindingHost : TemporaryRepositoryHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings => [new("Generation:KvCacheBinding", "IoBinding")];

    protected override void Compose(string repository)
    {
        foreach (var layout in new[] { "genai-fp32", "genai-int4" })
        {
            var model = Directory.CreateDirectory(Path.Combine(repository, layout)).FullName;
            File.WriteAllText(Path.Combine(model, "model.json"), """{ "task": "text-generation" }""");
            Directory.CreateSymbolicLink(Path.Combine(model, "1"), BuiltTinyRepositoryHost.Folder(layout));
        }
    }
}

public sealed class GenaiIoBindingServingTests(BuiltTinyGenaiIoBindingHost host) : IClassFixture<BuiltTinyGenaiIoBindingHost>
{
    [Theory]
    [InlineData("genai-fp32")]
    [InlineData("genai-int4")]
    public async Task Eight_streams_on_the_device_path_give_the_ids_each_gets_alone(string layout)
    {
        var model = await host.ModelAsync(layout);
        Assert.Equal(KvCacheBinding.IoBinding, model.Binding);
        Assert.IsType<GraphKvCacheRebuilder>(model.CacheRebuilder);
        using var watcher = new GenerationMeterWatcher(host.Metrics, layout);
        var references = BuiltTinyRepositoryHost.References(layout);
        var alone = new List<int[]>();
        foreach (var reference in references)
        {
            alone.Add(await BuiltTinyLayoutServingTests.GenerateAsync(model, reference.Prompt));
        }
        if (layout == "genai-fp32")
        {
            Assert.Equal(references.Select(r => r.Generated), alone);
        }

        var batched = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => BuiltTinyLayoutServingTests.GenerateAsync(model, references[i % 4].Prompt)));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(alone[i % 4], batched[i]);
        }
        Assert.InRange(watcher.LargestStep, 2, 8);
    }
}
