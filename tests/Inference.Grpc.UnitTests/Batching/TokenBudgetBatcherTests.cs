using MlStack.Inference.Batching;
using MlStack.Inference.Errors;

namespace MlStack.Inference.UnitTests.Batching;

/// <summary>The queue with a token budget: the batches it really runs, its bound and its cancellations.</summary>
public sealed class TokenBudgetBatcherTests
{
    private sealed class Text(int length, CancellationToken cancellation = default) : BatchWork<int>(1, cancellation)
    {
        public override int LongestRow => length;
        public override int ShortestRow => length;
        public override int Tokens => length;
    }

    private static BatchingSettings Settings(int tokens, int max = 64, int queue = 0, int delayMs = 50) =>
        new(true, max, [16, 32, 64], TimeSpan.FromMilliseconds(delayMs), queue, tokens);

    /// <summary>A batcher whose runs wait for the gate and record the lengths they were given.</summary>
    private sealed class Recorder
    {
        public ManualResetEventSlim Gate { get; } = new();
        public SemaphoreSlim Started { get; } = new(0);
        public List<int[]> Batches { get; } = [];

        public void Run(List<Text> batch)
        {
            Started.Release();
            Gate.Wait();
            lock (Batches) Batches.Add([.. batch.Select(t => t.LongestRow)]);
            foreach (var t in batch) t.Complete(batch.Count);
        }
    }

    [Fact]
    public async Task Queued_texts_run_grouped_by_length_within_the_budget()
    {
        var recorder = new Recorder();
        await using var batcher = new DynamicBatcher<Text, int>(Settings(tokens: 600), recorder.Run, _ => { });

        var blocker = batcher.EnqueueAsync(new Text(5)); // runs alone while the others queue up behind it
        await recorder.Started.WaitAsync();
        int[] lengths = [10, 250, 11, 10, 240, 12, 10, 230, 9, 11];
        var queued = lengths.Select(l => batcher.EnqueueAsync(new Text(l))).ToArray();
        recorder.Gate.Set();
        await Task.WhenAll(queued.Append(blocker));

        Assert.Equal([5], recorder.Batches[0]);
        Assert.All(recorder.Batches[1], l => Assert.True(l < 20));
        Assert.Equal(7, recorder.Batches[1].Length);
        Assert.Equal([240, 250], recorder.Batches[2].Order()); // 2 x 250 = 500; a third long one would pass 600
        Assert.Equal([230], recorder.Batches[3]);
        Assert.All(recorder.Batches, b => Assert.True(b.Length * b.Max() <= 600));
    }

    [Fact]
    public async Task A_text_longer_than_the_budget_runs_alone()
    {
        var recorder = new Recorder();
        await using var batcher = new DynamicBatcher<Text, int>(Settings(tokens: 100), recorder.Run, _ => { });

        var blocker = batcher.EnqueueAsync(new Text(5));
        await recorder.Started.WaitAsync();
        var queued = new[] { 300, 300, 10 }.Select(l => batcher.EnqueueAsync(new Text(l))).ToArray();
        recorder.Gate.Set();
        await Task.WhenAll(queued.Append(blocker));

        Assert.Equal(new[] { new[] { 5 }, [300], [300], [10] }, recorder.Batches);
    }

    [Fact]
    public async Task A_full_queue_answers_resource_exhausted_at_once_while_texts_wait_for_a_batch()
    {
        var recorder = new Recorder();
        await using var batcher = new DynamicBatcher<Text, int>(Settings(tokens: 8192, queue: 2), recorder.Run, _ => { });

        var running = batcher.EnqueueAsync(new Text(10));
        await recorder.Started.WaitAsync(); // taken off the queue and blocked in execution
        var waiting = new[] { batcher.EnqueueAsync(new Text(10)), batcher.EnqueueAsync(new Text(250)) };

        var refused = Assert.Throws<InferenceException>(() => { _ = batcher.EnqueueAsync(new Text(10)); });
        Assert.Equal(InferenceErrorReason.ResourceExhausted, refused.Reason);
        Assert.Equal(2, batcher.PendingCount);

        recorder.Gate.Set();
        await Task.WhenAll(waiting.Append(running));
        Assert.Equal(0, batcher.PendingCount);
    }

    [Fact]
    public async Task Cancelled_texts_are_dropped_before_they_run()
    {
        var recorder = new Recorder();
        var dropped = new List<Text>();
        await using var batcher = new DynamicBatcher<Text, int>(Settings(tokens: 8192), recorder.Run, w => { lock (dropped) dropped.Add(w); });

        var running = batcher.EnqueueAsync(new Text(10));
        await recorder.Started.WaitAsync();
        using var deadline = new CancellationTokenSource();
        var expired = new Text(11, deadline.Token);
        var expiredTask = batcher.EnqueueAsync(expired);
        var kept = batcher.EnqueueAsync(new Text(12));
        await deadline.CancelAsync();
        recorder.Gate.Set();

        await Task.WhenAll(running, kept);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => expiredTask);
        Assert.Contains(expired, dropped);
        Assert.DoesNotContain(recorder.Batches, b => b.Contains(11));
        Assert.Equal(0, batcher.PendingCount);
    }
}
