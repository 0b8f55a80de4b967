using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.Generation.PrefixCaching;

/// <summary>
/// Automatic prefix caching for one load of one model version: a new sequence's longest stored block prefix
/// (<see cref="Match"/>) becomes its starting cache (<see cref="Build"/>), so only the rest of its prompt is
/// prefilled, and after the prefill its full blocks are stored (<see cref="Store"/>). Keys are chained over the
/// tokens from a root of the model's name, version and this load, and the caller's cache salt, so a reload (a new
/// load) never meets the old KV and salted callers share only with the same salt. Disposing drops the load's blocks.
/// </summary>
public sealed class ModelPrefixCache : IDisposable
{
    private static long s_loads;
    private readonly PrefixBlockStore _store;
    private readonly KvBlockTransfer _transfer;
    private readonly GenerationMetrics _metrics;
    private readonly string _model;
    private readonly string _version;
    private readonly long _load = Interlocked.Increment(ref s_loads);
    private long _bytes;

    public ModelPrefixCache(PrefixBlockStore store, KvBlockTransfer transfer, string model, string version, KeyValuePair<string, object?>[] tags,
        GenerationMetrics metrics)
    {
        _store = store;
        _transfer = transfer;
        _model = model;
        _version = version;
        Tags = tags;
        _metrics = metrics;
    }

    public int BlockTokens => _transfer.BlockTokens;

    public long BlockBytes => _transfer.BlockBytes;

    /// <summary>Bytes this load's stored blocks take in the shared budget.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    internal KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>
    /// The longest stored block prefix of <paramref name="prompt"/>, held until the match is released. At least one
    /// prompt token is always left to prefill: its logits give the first generated token.
    /// </summary>
    public PrefixMatch Match(IReadOnlyList<int> prompt, string? salt)
    {
        var tokens = prompt as int[] ?? [.. prompt];
        var keys = PrefixBlockHasher.Chain(PrefixBlockHasher.Root(_model, _version, _load, salt), tokens, BlockTokens);
        var usable = (tokens.Length - 1) / BlockTokens;
        var blocks = _store.Match(this, keys.AsSpan(0, usable), tokens, BlockTokens);
        var match = new PrefixMatch(_store, keys, blocks, blocks.Count * BlockTokens);
        _metrics.PrefixCacheQueried(Tags, tokens.Length, match.CachedTokens);
        return match;
    }

    /// <summary>The sequence's starting cache: the matched blocks' positions (copied; the blocks stay as they are).</summary>
    public KvCache Build(PrefixMatch match) => _transfer.Build(match.Blocks);

    /// <summary>
    /// Stores the full blocks of a prefilled prompt that the match did not find, cut from <paramref name="cache"/>
    /// (its one row holds the whole prompt). They stay held by the match until it is released. Stops at the first
    /// block the budget has no room for: later ones could never be matched without it.
    /// </summary>
    public void Store(PrefixMatch match, IReadOnlyList<int> prompt, KvCache cache)
    {
        var first = match.Blocks.Count;
        var count = match.Keys.Length - first;
        if (count <= 0 || _transfer.BlockBytes > _store.BudgetBytes)
        {
            return;
        }
        var data = _transfer.Cut(cache, first, count);
        for (var b = 0; b < count; b++)
        {
            var index = first + b;
            var tokens = new int[BlockTokens];
            for (var t = 0; t < tokens.Length; t++)
            {
                tokens[t] = prompt[index * BlockTokens + t];
            }
            var stored = _store.Insert(new KvBlock(match.Keys[index], this, tokens, data[b]));
            if (stored is null)
            {
                return;
            }
            match.Hold(stored);
        }
    }

    internal void BytesChanged(long delta)
    {
        Interlocked.Add(ref _bytes, delta);
    }

    public void Dispose() => _store.Drop(this);
}
