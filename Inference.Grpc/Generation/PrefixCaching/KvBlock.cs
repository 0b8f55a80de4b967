namespace MlStack.Inference.Generation.PrefixCaching;

/// <summary>
/// The KV of one full block of prompt tokens, as host data independent of how a decoder lays out its cache: for each
/// past input in <see cref="Decoding.DecoderLayout.PastNames"/> order (layer 0 key, layer 0 value, layer 1 key, ...)
/// one [kv_heads, block_tokens, head_dim] array, back to back in <see cref="Data"/>. Its <see cref="Key"/> is chained
/// over its tokens and every earlier block of the prompt, so equal keys mean an equal prefix up to and including it.
/// </summary>
public sealed class KvBlock
{
    internal KvBlock(UInt128 key, ModelPrefixCache owner, int[] tokens, byte[] data)
    {
        Key = key;
        Owner = owner;
        Tokens = tokens;
        Data = data;
    }

    public UInt128 Key { get; }

    /// <summary>The model version (one load of it) whose KV this is.</summary>
    internal ModelPrefixCache Owner { get; }

    /// <summary>The block's own tokens, checked on a match so that a hash collision can never hand out the wrong KV.</summary>
    public int[] Tokens { get; }

    public byte[] Data { get; }

    public long Bytes => Data.LongLength;

    /// <summary>Running sequences that hold it; a held block is never evicted. Guarded by the store's lock.</summary>
    internal int References { get; set; }

    /// <summary>Its place in the store's least-recently-used list while nothing holds it; null while held or dropped.</summary>
    internal LinkedListNode<KvBlock>? Unused { get; set; }

    /// <summary>False once evicted or dropped with its model.</summary>
    internal bool Stored { get; set; }
}
