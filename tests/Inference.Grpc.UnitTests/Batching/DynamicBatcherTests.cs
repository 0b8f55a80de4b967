using MlStack.Inference.Errors;
using MlStack.Inference.Batching;

namespace MlStack.Inference.UnitTests.Batching;

/// <summary>The queue's rules, with a fake execution that records the batches it is given.</summary>
public sealed class DynamicBatcherTests
{
    private sealed class Work(int rows, CancellationToken cancellation = default) : BatchWork<int>(rows, cancellation);

    private static BatchingSettings Settings(bool enabled = true, int max = 8, int[]? preferred = null, int delayMs = 50, int queue = 0) =>
        new(enabled, max, preferred ?? [], TimeSpan.FromMilliseconds(delayMs), queue);

    [Fact]
    public async Task Requests_queued_together_run_as_one_batch_up_to_the_max_size()
    {
        var gate = new ManualResetEventSlim();
        var started = new SemaphoreSlim(0); // one release per batch that reached execution
        var batches = new List<int[]>();
        await using var batcher = new DynamicBatcher<Work, int>(Settings(max: 4), batch =>
        {
            started.Release();
            gate.Wait();
            lock (batches) batches.Add(batch.Select(w => w.Rows).ToArray());
            foreach (var w in batch) w.Complete(batch.Count);
        }, _ => { });

        var blocker = batcher.EnqueueAsync(new Work(1)); // runs alone while the others queue up behind it
        await started.WaitAsync();
        var queued = Enumerable.Range(0, 6).Select(_ => batcher.EnqueueAsync(new Work(1))).ToArray();
        gate.Set();
        await Task.WhenAll(queued.Append(blocker));

        Assert.Equal([1], batches[0]);
        Assert.Equal([1, 1, 1, 1], batches[1]); // capped at max_batch_size
        Assert.Equal([1, 1], batches[2]);       // the rest, after the queue delay
    }

    [Fact]
    public async Task A_preferred_batch_size_runs_without_waiting_for_the_queue_delay()
    {
        var ran = new TaskCompletionSource<int>();
        await using var batcher = new DynamicBatcher<Work, int>(Settings(max: 8, preferred: [2], delayMs: 60_000), batch =>
        {
            ran.TrySetResult(batch.Sum(w => w.Rows));
            foreach (var w in batch) w.Complete(0);
        }, _ => { });

        _ = batcher.EnqueueAsync(new Work(2));

        Assert.Equal(2, await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task With_batching_off_every_request_runs_alone()
    {
        var sizes = new List<int>();
        await using var batcher = new DynamicBatcher<Work, int>(Settings(enabled: false), batch =>
        {
            lock (sizes) sizes.Add(batch.Count);
            foreach (var w in batch) w.Complete(0);
        }, _ => { });

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => batcher.EnqueueAsync(new Work(1))));

        Assert.All(sizes, s => Assert.Equal(1, s));
    }

    [Fact]
    public async Task A_full_queue_answers_resource_exhausted_at_once()
    {
        var gate = new ManualResetEventSlim();
        var started = new SemaphoreSlim(0); // one release per batch that reached execution
        await using var batcher = new DynamicBatcher<Work, int>(Settings(max: 1, queue: 2), batch =>
        {
            started.Release();
            gate.Wait();
            foreach (var w in batch) w.Complete(0);
        }, _ => { });

        var running = batcher.EnqueueAsync(new Work(1));
        await started.WaitAsync(); // taken off the queue and blocked in execution
        var waiting = new[] { batcher.EnqueueAsync(new Work(1)), batcher.EnqueueAsync(new Work(1)) };

        var refused = Assert.Throws<InferenceException>(() => { _ = batcher.EnqueueAsync(new Work(1)); });
        Assert.Equal(InferenceErrorReason.ResourceExhausted, refused.Reason);
        Assert.Equal(2, batcher.PendingCount);

        gate.Set();
        await Task.WhenAll(waiting.Append(running));
        Assert.Equal(0, batcher.PendingCount);
    }

    [Fact]
    public async Task Cancelled_or_expired_work_is_dropped_before_it_runs()
    {
        var gate = new ManualResetEventSlim();
        var started = new SemaphoreSlim(0); // one release per batch that reached execution
        var executed = new List<Work>();
        var dropped = new List<Work>();
        await using var batcher = new DynamicBatcher<Work, int>(Settings(max: 1), batch =>
        {
            started.Release();
            gate.Wait();
            lock (executed) executed.AddRange(batch);
            foreach (var w in batch) w.Complete(0);
        }, w => { lock (dropped) dropped.Add(w); });

        var running = batcher.EnqueueAsync(new Work(1));
        await started.WaitAsync();
        using var deadline = new CancellationTokenSource();
        var expired = new Work(1, deadline.Token);
        var expiredTask = batcher.EnqueueAsync(expired);
        await deadline.CancelAsync(); // its caller went away (or its deadline passed) while it waited
        gate.Set();

        await running;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => expiredTask);
        Assert.DoesNotContain(expired, executed);
        Assert.Contains(expired, dropped);
    }

    [Fact]
    public async Task A_failing_batch_is_rerun_request_by_request_so_only_the_bad_one_fails()
    {
        var gate = new ManualResetEventSlim();
        var started = new SemaphoreSlim(0); // one release per batch that reached execution
        await using var batcher = new DynamicBatcher<Work, int>(Settings(max: 8, delayMs: 200), batch =>
        {
            started.Release();
            gate.Wait();
            if (batch.Any(w => w.Rows == 3)) throw new InvalidOperationException("bad rows");
            foreach (var w in batch) w.Complete(w.Rows);
        }, _ => { });

        var first = batcher.EnqueueAsync(new Work(1));
        await started.WaitAsync(); // runs alone, so the next two are merged with each other
        var good = batcher.EnqueueAsync(new Work(2));
        var bad = batcher.EnqueueAsync(new Work(3));
        gate.Set();

        Assert.Equal(1, await first);
        Assert.Equal(2, await good);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
    }
}
