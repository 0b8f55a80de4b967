namespace MlStack.Inference.Batching;

/// <summary>
/// How batches are formed under a token budget. A batch's cost is what its padded run computes: rows times the
/// longest row. Work joins a batch while the rows stay within the request cap (max_batch_size), the cost within
/// MaxBatchTokens, and the batch's longest row stays within twice its shortest plus <see cref="PaddingSlack"/>: so
/// padding is at most about half of any row, a short text never rides in a long text's batch, and lengths group
/// without another setting. Work that does not fit waits for a later batch; the oldest work always starts the next
/// one, so none starves, and work over the budget on its own runs alone.
/// </summary>
public static class TokenBudget
{
    /// <summary>
    /// Padding every row may take beyond its own length: a few tokens of padding cost less than a run of their own
    /// (very short texts are mostly special tokens and fixed cost per run).
    /// </summary>
    public const int PaddingSlack = 8;

    /// <summary>Whether <paramref name="item"/> may join a batch of <paramref name="rows"/> rows of the given lengths.</summary>
    public static bool Admits(BatchingSettings settings, int rows, int shortest, int longest, IBatchItem item)
    {
        var joined = rows + item.Rows;
        if (joined > settings.MaxBatchSize) return false;
        var newLongest = Math.Max(longest, item.LongestRow);
        var newShortest = Math.Min(shortest, item.ShortestRow);
        return (long)joined * newLongest <= settings.MaxBatchTokens && newLongest <= 2L * newShortest + PaddingSlack;
    }

    /// <summary>Whether the waiting work already fills a batch, so waiting longer for more would gain nothing.</summary>
    public static bool Fills<TItem>(IReadOnlyList<TItem> waiting, BatchingSettings settings) where TItem : IBatchItem
    {
        long rows = 0, cost = 0;
        foreach (var item in waiting)
        {
            rows += item.Rows;
            cost += (long)item.Rows * item.LongestRow;
        }
        return rows >= settings.MaxBatchSize || cost >= settings.MaxBatchTokens;
    }

    /// <summary>
    /// Takes the next batch out of <paramref name="waiting"/> (oldest first, left holding the rest in order): the
    /// oldest work, then the waiting work nearest to it in length (older first among equals) that is admitted.
    /// </summary>
    public static List<TItem> Take<TItem>(List<TItem> waiting, BatchingSettings settings, Func<TItem, TItem, bool> canJoin)
        where TItem : IBatchItem
    {
        var first = waiting[0];
        var batch = new List<TItem> { first };
        int rows = first.Rows, shortest = first.ShortestRow, longest = first.LongestRow;
        var candidates = Enumerable.Range(1, waiting.Count - 1)
            .OrderBy(i => Math.Abs(waiting[i].LongestRow - first.LongestRow))
            .ThenBy(i => i);
        var taken = new bool[waiting.Count];
        taken[0] = true;
        foreach (var i in candidates)
        {
            if (rows >= settings.MaxBatchSize) break;
            var item = waiting[i];
            if (!canJoin(item, first) || !Admits(settings, rows, shortest, longest, item)) continue;
            batch.Add(item);
            taken[i] = true;
            rows += item.Rows;
            shortest = Math.Min(shortest, item.ShortestRow);
            longest = Math.Max(longest, item.LongestRow);
        }
        var rest = waiting.Where((_, i) => !taken[i]).ToList();
        waiting.Clear();
        waiting.AddRange(rest);
        return batch;
    }

    /// <summary>
    /// One request's texts cut into parts for the queue, by the same rule: texts sorted by length, each part as many
    /// neighbours as are admitted. Returns the texts' indexes per part; every index appears exactly once.
    /// </summary>
    public static List<int[]> Split(IReadOnlyList<int> lengths, BatchingSettings settings)
    {
        var parts = new List<int[]>();
        var part = new List<int>();
        int shortest = 0, longest = 0;
        foreach (var i in Enumerable.Range(0, lengths.Count).OrderBy(i => lengths[i]))
        {
            if (part.Count > 0 && !Admits(settings, part.Count, shortest, longest, new Row(lengths[i])))
            {
                parts.Add([.. part]);
                part.Clear();
            }
            if (part.Count == 0) shortest = longest = lengths[i];
            part.Add(i);
            longest = Math.Max(longest, lengths[i]);
        }
        if (part.Count > 0) parts.Add([.. part]);
        return parts;
    }

    private readonly record struct Row(int Length) : IBatchItem
    {
        public int Rows => 1;
        public int LongestRow => Length;
        public int ShortestRow => Length;
        public int Tokens => Length;
    }
}
