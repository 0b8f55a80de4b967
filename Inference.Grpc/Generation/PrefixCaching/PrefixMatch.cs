namespace MlStack.Inference.Generation.PrefixCaching;

/// <summary>
/// A sequence's share of the prefix cache: the keys of its prompt's full blocks, the blocks it holds (matched at
/// the start, then those it stored after its prefill), and how many prompt tokens came from the cache. Held blocks
/// are never evicted; they are let go when the sequence ends (<see cref="Release"/>, once).
/// </summary>
public sealed class PrefixMatch
{
    private readonly PrefixBlockStore _store;
    private readonly List<KvBlock> _blocks;
    private int _released;

    internal PrefixMatch(PrefixBlockStore store, UInt128[] keys, List<KvBlock> blocks, int cachedTokens)
    {
        _store = store;
        Keys = keys;
        _blocks = blocks;
        CachedTokens = cachedTokens;
    }

    /// <summary>The keys of every full block of the prompt, first to last.</summary>
    public UInt128[] Keys { get; }

    /// <summary>The blocks held, in prompt order.</summary>
    public IReadOnlyList<KvBlock> Blocks => _blocks;

    /// <summary>Prompt tokens whose KV came from the cache (not prefilled).</summary>
    public int CachedTokens { get; }

    internal void Hold(KvBlock block) => _blocks.Add(block);

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _store.Release(_blocks);
        }
    }
}
