using MlStack.Inference.Batching;

namespace MlStack.Inference.UnitTests.Batching;

/// <summary>Which queued texts share a run under a token budget (the rule on its own, without the queue).</summary>
public sealed class TokenBudgetTests
{
    /// <summary>Queued work of one or more texts of the given token lengths.</summary>
    private sealed record Texts(params int[] Lengths) : IBatchItem
    {
        public int Rows => Lengths.Length;
        public int LongestRow => Lengths.Max();
        public int ShortestRow => Lengths.Min();
        public int Tokens => Lengths.Sum();
    }

    private static BatchingSettings Budget(int tokens, int maxRows = 64) =>
        new(true, maxRows, [], TimeSpan.FromMilliseconds(2), 0, tokens);

    private static List<List<Texts>> TakeAll(List<Texts> waiting, BatchingSettings settings)
    {
        var batches = new List<List<Texts>>();
        while (waiting.Count > 0) batches.Add(TokenBudget.Take(waiting, settings, (_, _) => true));
        return batches;
    }

    private static int[][] Lengths(List<Texts> batch) => [.. batch.Select(t => t.Lengths)];

    [Fact]
    public void Batches_never_exceed_the_budget_or_the_request_cap_and_every_text_runs_once()
    {
        var random = new Random(24);
        var settings = Budget(1024, maxRows: 16);
        for (var trial = 0; trial < 200; trial++)
        {
            // The benchmark's mix and everything between: 1 to 3 texts per request, 3 to 256 tokens each.
            var queued = Enumerable.Range(0, random.Next(1, 120))
                .Select(_ => new Texts([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(10) == 0 ? random.Next(200, 257) : random.Next(3, 40))]))
                .ToList();

            var batches = TakeAll([.. queued], settings);

            Assert.Equal(queued.Count, batches.Sum(b => b.Count));
            Assert.Equal(queued.ToHashSet(), batches.SelectMany(b => b).ToHashSet());
            Assert.All(batches, batch =>
            {
                var size = BatchTokens.Of(batch);
                Assert.True(size.Padded <= settings.MaxBatchTokens, $"a batch of {size.Rows} rows at {size.Longest} tokens is {size.Padded} tokens");
                Assert.True(size.Rows <= settings.MaxBatchSize, $"a batch of {size.Rows} rows");
            });
        }
    }

    [Fact]
    public void A_text_longer_than_the_budget_runs_alone()
    {
        var settings = Budget(100);
        var waiting = new List<Texts> { new(10), new(180), new(10), new(12), new(150) };

        var batches = TakeAll(waiting, settings);

        Assert.Equal([[10], [10], [12]], Lengths(batches[0]));
        Assert.Equal([[180]], Lengths(batches[1]));
        Assert.Equal([[150]], Lengths(batches[2]));
    }

    [Fact]
    public void Texts_are_grouped_by_length_and_the_oldest_starts_each_batch()
    {
        var settings = Budget(8192);
        // As they arrive: mostly short, every fifth long, as at concurrency 64 with 10% long texts.
        var waiting = Enumerable.Range(0, 20).Select(i => i % 5 == 4 ? new Texts(250 + i) : new Texts(9 + i % 3)).ToList();

        var batches = TakeAll(waiting, settings);

        Assert.Equal(2, batches.Count);
        Assert.All(batches[0], t => Assert.True(t.LongestRow < 20)); // the oldest is short: every short text, no long one
        Assert.Equal(16, batches[0].Count);
        Assert.All(batches[1], t => Assert.True(t.LongestRow >= 250));
        Assert.True(BatchTokens.Of(batches[0]).PaddingRatio < 0.2);
        Assert.True(BatchTokens.Of(batches[1]).PaddingRatio < 0.05);
    }

    [Fact]
    public void A_long_text_that_is_oldest_runs_with_long_texts_only()
    {
        var waiting = new List<Texts> { new(240), new(10), new(11), new(230), new(10) };

        var first = TokenBudget.Take(waiting, Budget(8192), (_, _) => true);

        Assert.Equal([[240], [230]], Lengths(first));
        Assert.Equal([[10], [11], [10]], Lengths(waiting)); // left in arrival order
    }

    [Fact]
    public void Work_that_cannot_share_a_run_waits_for_another_batch()
    {
        var waiting = new List<Texts> { new(10), new(11), new(12) };

        var first = TokenBudget.Take(waiting, Budget(8192), (work, _) => work.LongestRow != 11);

        Assert.Equal([[10], [12]], Lengths(first));
        Assert.Equal([[11]], Lengths(waiting));
    }

    [Fact]
    public void A_request_is_split_into_parts_of_similar_length_within_the_budget()
    {
        int[] lengths = [12, 250, 10, 11, 240, 9, 600];

        var parts = TokenBudget.Split(lengths, Budget(512, maxRows: 2));

        Assert.Equal(Enumerable.Range(0, lengths.Length), parts.SelectMany(p => p).Order());
        Assert.All(parts, part => Assert.True(part.Length == 1 || part.Length * part.Max(i => lengths[i]) <= 512));
        Assert.All(parts, part => Assert.True(part.Length <= 2));
        Assert.Contains(parts, p => p.Order().SequenceEqual([1, 4])); // 250 and 240 together
        Assert.Contains(parts, p => p.SequenceEqual([6]));            // over the budget: alone
        Assert.DoesNotContain(parts, p => p.Any(i => lengths[i] < 100) && p.Any(i => lengths[i] > 100));
    }
}
