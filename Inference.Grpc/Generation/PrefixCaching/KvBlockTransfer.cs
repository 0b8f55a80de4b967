using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.Generation.PrefixCaching;

/// <summary>
/// The two places where a decoder's cache layout meets the layout-neutral blocks: a sequence's cache is built from
/// blocks before its prompt's rest is prefilled, and blocks are cut from its prefilled cache. A layout (Optimum's
/// past/present today; a shared max-length buffer later) implements both.
/// </summary>
public abstract class KvBlockTransfer(DecoderLayout layout, int blockTokens)
{
    protected DecoderLayout Layout { get; } = layout;

    public int BlockTokens { get; } = blockTokens;

    /// <summary>Bytes of one block: per past input [kv_heads, block_tokens, head_dim].</summary>
    public long BlockBytes => (long)Layout.PastNames.Length * Layout.KvHeads * BlockTokens * Layout.HeadDim * Layout.CacheElementSize;

    /// <summary>A one-row cache holding the blocks' positions in order (its length: blocks times block tokens).</summary>
    public abstract KvCache Build(IReadOnlyList<KvBlock> blocks);

    /// <summary>
    /// The data of <paramref name="count"/> blocks starting at block <paramref name="first"/> of row 0 of a one-row
    /// <paramref name="cache"/> (a prefilled prompt): one array per block, as <see cref="KvBlock.Data"/> holds it.
    /// </summary>
    public abstract byte[][] Cut(KvCache cache, int first, int count);
}
