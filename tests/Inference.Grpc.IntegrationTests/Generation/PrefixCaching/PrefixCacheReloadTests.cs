using MlStack.Inference.Generation;
using MlStack.Inference.V1;
using MlStack.Inference.V2;

namespace MlStack.Inference.IntegrationTests.Generation.PrefixCaching;

/// <summary>
/// A reload that loads the model again, or an unload, drops its prefix-cache blocks: a new load never answers from the
/// old one's KV. A reload that changes nothing keeps the loaded version (the repository's rule), and so its blocks.
/// </summary>
public sealed class PrefixCacheReloadTests(ReloadablePrefixCacheHost host) : IClassFixture<ReloadablePrefixCacheHost>
{
    private const string Prompt = "Before the reload: the children built a tall castle out of sand and shells on the beach.";

    [Fact]
    public async Task A_reload_and_an_unload_drop_the_models_blocks_an_unchanged_reload_keeps_them()
    {
        var (_, first) = await host.AnswerAsync("tiny-gpt", Prompt);
        var (tokens, hit) = await host.AnswerAsync("tiny-gpt", Prompt);
        Assert.True(hit.Usage.CachedPromptTokens > 0);
        var old = (GeneratorModel)host.Repository.Resolve("tiny-gpt", null);
        Assert.True(old.PrefixCache!.Bytes > 0);
        Assert.Equal(old.PrefixCache.Bytes, host.Blocks.Bytes);

        await host.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "tiny-gpt" });
        Assert.Same(old, host.Repository.Resolve("tiny-gpt", null));
        var (_, kept) = await host.AnswerAsync("tiny-gpt", Prompt);
        Assert.Equal(hit.Usage.CachedPromptTokens, kept.Usage.CachedPromptTokens);

        // A changed model.json loads the version again.
        File.WriteAllText(Path.Combine(host.RepositoryPath, "tiny-gpt", "model.json"),
            """{ "task": "text-generation", "generation": { "max_waiting_requests": 31 } }""");
        await host.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "tiny-gpt" });

        var reloaded = (GeneratorModel)host.Repository.Resolve("tiny-gpt", null);
        Assert.NotSame(old, reloaded);
        Assert.Equal(0, old.PrefixCache.Bytes);
        Assert.Equal(0, host.Blocks.Count);
        var (afterReload, missed) = await host.AnswerAsync("tiny-gpt", Prompt);
        Assert.Equal(0, first.Usage.CachedPromptTokens);
        Assert.Equal(0, missed.Usage.CachedPromptTokens);
        Assert.Equal(tokens, afterReload);
        Assert.True(host.Blocks.Count > 0);

        await host.Admin.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "tiny-gpt" });

        Assert.Equal(0, host.Blocks.Count);
        Assert.Equal(0, host.Blocks.Bytes);
    }
}
