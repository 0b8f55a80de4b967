using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.PrefixCaching;

/// <summary>
/// The prefix cache under a budget of four tiny-gpt blocks: blocks a running stream holds stay, the least recently
/// used others are evicted, and every answer stays the one the service gives with the cache off.
/// </summary>
public sealed class PrefixCacheEvictionTests(TinyPrefixBudgetHost cached, PrefixCacheOffHost plain)
    : IClassFixture<TinyPrefixBudgetHost>, IClassFixture<PrefixCacheOffHost>
{
    private const string Model = "tiny-gpt";
    private const string Running = "The running story: a small boat sailed across the lake while the birds sang in the trees.";
    private const string Other = "Another story entirely: the farmer planted corn and beans in the field behind the old red barn.";

    [Fact]
    public async Task A_running_streams_blocks_are_not_evicted_and_answers_stay_correct_under_the_tiny_budget()
    {
        using var watcher = new GenerationMeterWatcher(cached.Metrics, Model);
        using var stop = new CancellationTokenSource();
        // A long stream whose prompt fills the whole budget and holds its blocks while it decodes.
        var running = cached.TextGeneration.Generate(PrefixCacheCalls.Greedy(Model, Running, maxNewTokens: 900), cancellationToken: stop.Token);
        Assert.True(await running.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(TinyPrefixBudgetHost.BudgetBytes, cached.Blocks.Bytes);

        // Another prompt finds no room: every stored block is held.
        var (other1, other1Summary) = await cached.AnswerAsync(Model, Other);
        var (other2, other2Summary) = await cached.AnswerAsync(Model, Other);
        Assert.Equal(0, other1Summary.Usage.CachedPromptTokens);
        Assert.Equal(0, other2Summary.Usage.CachedPromptTokens);
        Assert.Equal(0, watcher.PrefixEvictions);

        // The running stream's prompt is still there for a new request.
        var (again, againSummary) = await cached.AnswerAsync(Model, Running);
        Assert.Equal(4 * PrefixCacheHost.BlockTokens, againSummary.Usage.CachedPromptTokens);

        stop.Cancel();
        await Polling.UntilAsync(() => Task.FromResult(watcher.Running), running => running == 0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));

        // Nothing holds the first prompt's blocks now: the other prompt evicts them, then hits its own.
        var (other3, other3Summary) = await cached.AnswerAsync(Model, Other);
        var (other4, other4Summary) = await cached.AnswerAsync(Model, Other);
        var (after, afterSummary) = await cached.AnswerAsync(Model, Running);
        Assert.Equal(0, other3Summary.Usage.CachedPromptTokens);
        Assert.Equal(4 * PrefixCacheHost.BlockTokens, other4Summary.Usage.CachedPromptTokens);
        Assert.Equal(0, afterSummary.Usage.CachedPromptTokens);
        Assert.True(watcher.PrefixEvictions >= 4, $"{watcher.PrefixEvictions} blocks evicted");
        Assert.True(cached.Blocks.Bytes <= TinyPrefixBudgetHost.BudgetBytes);

        var (otherReference, _) = await plain.AnswerAsync(Model, Other);
        var (runningReference, _) = await plain.AnswerAsync(Model, Running);
        Assert.All([other1, other2, other3, other4], tokens => Assert.Equal(otherReference, tokens));
        Assert.Equal(runningReference, again);
        Assert.Equal(runningReference, after);
    }
}
