using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Generation.PrefixCaching;

namespace MlStack.Inference.UnitTests.Generation.PrefixCaching;

/// <summary>The shared block store: chained keys, least-recently-used eviction that never touches held blocks, drops per model load.</summary>
public sealed class PrefixBlockStoreTests : IDisposable
{
    private const int BlockTokens = 2;
    private static readonly DecoderLayout Layout = new()
    {
        Layers = 1,
        KvHeads = 1,
        HeadDim = 2,
        CacheType = TensorElementType.Float,
        Format = KvCacheFormat.Concatenated,
        LogitsType = TensorElementType.Float,
        HasPositionIds = true,
        HasUseCacheBranch = false,
        PastNames = ["past_key_values.0.key", "past_key_values.0.value"],
        PresentNames = ["present.0.key", "present.0.value"],
    };

    // 2 inputs x 1 head x 2 tokens x 2 x float32
    private const long BlockBytes = 2 * 1 * BlockTokens * 2 * 4;

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private (PrefixBlockStore Store, ModelPrefixCache Model) Create(long budgetBlocks, string name = "m")
    {
        var options = Options.Create(new GenerationOptions { PrefixCacheBytes = budgetBlocks * BlockBytes, PrefixCacheBlockTokens = BlockTokens });
        var metrics = new GenerationMetrics(_services.GetRequiredService<IMeterFactory>());
        var store = new PrefixBlockStore(options, metrics);
        return (store, Owner(store, metrics, name));
    }

    private static ModelPrefixCache Owner(PrefixBlockStore store, GenerationMetrics metrics, string name) =>
        new(store, new HostKvBlockTransfer(Layout, BlockTokens), name, "1", GenerationMetrics.Tags(name, "1"), metrics);

    /// <summary>Stores the blocks of <paramref name="tokens"/> as a prefilled prompt would, held by the returned match.</summary>
    private static PrefixMatch Put(PrefixBlockStore store, ModelPrefixCache model, int[] tokens, string? salt = null)
    {
        var match = model.Match(tokens, salt);
        for (var b = match.Blocks.Count; b < match.Keys.Length; b++)
        {
            var stored = store.Insert(new KvBlock(match.Keys[b], model, tokens[(b * BlockTokens)..((b + 1) * BlockTokens)], new byte[BlockBytes]));
            if (stored is null) break;
            match.Hold(stored);
        }
        return match;
    }

    [Fact]
    public void Keys_chain_over_earlier_blocks_and_salts_never_meet()
    {
        var unsalted = PrefixBlockHasher.Root("m", "1", 1, null);
        Assert.Equal(unsalted, PrefixBlockHasher.Root("m", "1", 1, ""));
        Assert.NotEqual(unsalted, PrefixBlockHasher.Root("m", "1", 1, "a"));
        Assert.NotEqual(PrefixBlockHasher.Root("m", "1", 1, "a"), PrefixBlockHasher.Root("m", "1", 1, "b"));
        Assert.NotEqual(unsalted, PrefixBlockHasher.Root("m", "2", 1, null));
        Assert.NotEqual(unsalted, PrefixBlockHasher.Root("m", "1", 2, null));

        var a = PrefixBlockHasher.Chain(unsalted, [1, 2, 3, 4], BlockTokens);
        var b = PrefixBlockHasher.Chain(unsalted, [9, 9, 3, 4], BlockTokens);
        Assert.Equal(2, a.Length);
        Assert.NotEqual(a[1], b[1]); // same second block, different first: different key
        Assert.Equal(a, PrefixBlockHasher.Chain(unsalted, [1, 2, 3, 4, 5], BlockTokens)); // a partial last block has no key
    }

    [Fact]
    public void A_match_finds_the_longest_stored_prefix_and_leaves_a_token_to_prefill()
    {
        var (store, model) = Create(budgetBlocks: 10);
        Put(store, model, [1, 2, 3, 4, 5, 6]).Release();

        var full = model.Match([1, 2, 3, 4, 5, 6], null);
        Assert.Equal(4, full.CachedTokens); // the last block stays to prefill: its logits give the first token
        full.Release();
        var partial = model.Match([1, 2, 3, 9, 5, 6, 7], null);
        Assert.Equal(2, partial.CachedTokens);
        partial.Release();
        var salted = model.Match([1, 2, 3, 4, 5, 6], "tenant");
        Assert.Equal(0, salted.CachedTokens);
        salted.Release();
    }

    [Fact]
    public void The_least_recently_used_blocks_go_first_a_prompts_tail_before_its_head()
    {
        var (store, model) = Create(budgetBlocks: 3);
        Put(store, model, [1, 2, 3, 4, 5, 6]).Release(); // 3 blocks: the budget
        Assert.Equal(3 * BlockBytes, store.Bytes);

        Put(store, model, [7, 8, 9, 9]).Release(); // 2 more: the first prompt's last two go

        Assert.Equal(3, store.Count);
        var first = model.Match([1, 2, 3, 4, 5, 6, 0], null);
        Assert.Equal(2, first.CachedTokens); // its head is still there
        first.Release();
        var second = model.Match([7, 8, 9, 9, 0], null);
        Assert.Equal(4, second.CachedTokens);
        second.Release();
    }

    [Fact]
    public void Held_blocks_are_never_evicted()
    {
        var (store, model) = Create(budgetBlocks: 2);
        var running = Put(store, model, [1, 2, 3, 4, 5]);
        Assert.Equal(2, running.Blocks.Count);

        var other = Put(store, model, [7, 8, 9, 9, 0]);

        Assert.Empty(other.Blocks); // no room: everything stored is held
        Assert.Equal(2, store.Count);
        other.Release();
        running.Release();
        running.Release(); // once only
        var next = Put(store, model, [7, 8, 9, 9, 0]);
        Assert.Equal(2, next.Blocks.Count);
        next.Release();
    }

    [Fact]
    public void Dropping_a_model_load_removes_only_its_blocks()
    {
        var (store, model) = Create(budgetBlocks: 10);
        var metrics = new GenerationMetrics(_services.GetRequiredService<IMeterFactory>());
        var other = Owner(store, metrics, "other");
        Put(store, model, [1, 2, 3, 4, 5]).Release();
        Put(store, other, [1, 2, 3, 4, 5]).Release();
        Assert.Equal(4, store.Count);

        model.Dispose();

        Assert.Equal(2, store.Count);
        Assert.Equal(0, model.Bytes);
        Assert.Equal(2 * BlockBytes, other.Bytes);
        var again = other.Match([1, 2, 3, 4, 5], null);
        Assert.Equal(4, again.CachedTokens);
        again.Release();
    }

    public void Dispose() => _services.Dispose();
}
