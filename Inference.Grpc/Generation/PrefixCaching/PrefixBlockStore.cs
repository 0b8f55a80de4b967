using Microsoft.Extensions.Options;

namespace MlStack.Inference.Generation.PrefixCaching;

/// <summary>
/// The blocks of every generator model of the service, under one memory budget (Generation:PrefixCacheBytes).
/// Blocks that no running sequence holds sit in a least-recently-used list and are evicted from its old end when
/// room is needed; a held block is never evicted. A sequence's blocks go back to the list deepest first, so a
/// prompt's tail is evicted before its head (the head is what other prompts share). Thread-safe: every model's
/// scheduler thread calls it.
/// </summary>
public sealed class PrefixBlockStore(IOptions<GenerationOptions> options, GenerationMetrics metrics)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, KvBlock> _blocks = [];
    private readonly LinkedList<KvBlock> _unused = new();
    private long _bytes;

    public long BudgetBytes { get; } = options.Value.PrefixCacheBytes;

    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _blocks.Count;
            }
        }
    }

    /// <summary>
    /// The stored blocks of the longest prefix of <paramref name="keys"/> (their tokens checked against
    /// <paramref name="tokens"/>), held for the caller until <see cref="Release"/>.
    /// </summary>
    public List<KvBlock> Match(ModelPrefixCache owner, ReadOnlySpan<UInt128> keys, ReadOnlySpan<int> tokens, int blockTokens)
    {
        var found = new List<KvBlock>();
        lock (_gate)
        {
            for (var b = 0; b < keys.Length; b++)
            {
                if (!_blocks.TryGetValue(keys[b], out var block) || !ReferenceEquals(block.Owner, owner)
                    || !tokens.Slice(b * blockTokens, blockTokens).SequenceEqual(block.Tokens))
                {
                    break;
                }
                Hold(block);
                found.Add(block);
            }
        }
        return found;
    }

    /// <summary>
    /// Stores <paramref name="block"/> held by the caller, evicting unheld blocks as needed. Returns the block stored
    /// under its key (an equal one another sequence stored first is held and returned instead), or null when the
    /// budget is taken by held blocks.
    /// </summary>
    public KvBlock? Insert(KvBlock block)
    {
        List<KvBlock>? evicted = null;
        try
        {
            lock (_gate)
            {
                if (_blocks.TryGetValue(block.Key, out var existing) && ReferenceEquals(existing.Owner, block.Owner))
                {
                    Hold(existing);
                    return existing;
                }
                while (_bytes + block.Bytes > BudgetBytes && _unused.First is { } oldest)
                {
                    Remove(oldest.Value);
                    (evicted ??= []).Add(oldest.Value);
                }
                if (_bytes + block.Bytes > BudgetBytes)
                {
                    return null;
                }
                if (existing is not null)
                {
                    Remove(existing); // another load's block under the same key cannot happen (the root hashes the load); keep the map consistent anyway
                }
                _blocks[block.Key] = block;
                block.Stored = true;
                block.References = 1;
                _bytes += block.Bytes;
                block.Owner.BytesChanged(block.Bytes);
                return block;
            }
        }
        finally
        {
            foreach (var gone in evicted ?? [])
            {
                metrics.PrefixBlockEvicted(gone.Owner.Tags);
            }
        }
    }

    /// <summary>Lets go of a sequence's blocks (in prompt order); the last block becomes the first to evict.</summary>
    public void Release(IReadOnlyList<KvBlock> blocks)
    {
        lock (_gate)
        {
            for (var b = blocks.Count - 1; b >= 0; b--)
            {
                var block = blocks[b];
                if (--block.References == 0 && block.Stored)
                {
                    // Deepest first to the recent end: the prompt's head ends up more recent than its tail.
                    block.Unused = _unused.AddLast(block);
                }
            }
        }
    }

    /// <summary>Drops every block of a model load (it is unloading or being replaced).</summary>
    public void Drop(ModelPrefixCache owner)
    {
        lock (_gate)
        {
            foreach (var block in _blocks.Values.Where(b => ReferenceEquals(b.Owner, owner)).ToArray())
            {
                Remove(block);
            }
        }
    }

    private void Hold(KvBlock block)
    {
        if (block.References++ == 0 && block.Unused is { } node)
        {
            _unused.Remove(node);
            block.Unused = null;
        }
    }

    private void Remove(KvBlock block)
    {
        _blocks.Remove(block.Key);
        if (block.Unused is { } node)
        {
            _unused.Remove(node);
            block.Unused = null;
        }
        block.Stored = false;
        _bytes -= block.Bytes;
        block.Owner.BytesChanged(-block.Bytes);
    }
}
