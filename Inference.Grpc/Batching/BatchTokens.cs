namespace MlStack.Inference.Batching;

/// <summary>The size of one run: requests (queued work), rows, and tokens with and without padding.</summary>
public readonly record struct BatchTokens(int Requests, int Rows, int Longest, long Tokens)
{
    /// <summary>Tokens the padded run computes: every row at the longest row's length.</summary>
    public long Padded => (long)Rows * Longest;

    /// <summary>The share of the run's tokens that are padding (0 when nothing is padded or there are no tokens).</summary>
    public double PaddingRatio => Padded == 0 ? 0 : 1 - (double)Tokens / Padded;

    public static BatchTokens Of<TItem>(IReadOnlyList<TItem> batch) where TItem : IBatchItem
    {
        int rows = 0, longest = 0;
        long tokens = 0;
        foreach (var item in batch)
        {
            rows += item.Rows;
            longest = Math.Max(longest, item.LongestRow);
            tokens += item.Tokens;
        }
        return new BatchTokens(batch.Count, rows, longest, tokens);
    }
}
