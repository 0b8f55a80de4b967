using System.Diagnostics;
using System.Threading.Channels;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Batching;

/// <summary>
/// A model's request queue. One consumer takes queued work and runs it: with batching on, work that arrives
/// together is merged into one run of up to MaxBatchSize rows, waiting at most MaxQueueDelay after the oldest
/// item for more (it stops early at a preferred batch size when nothing else is queued); with batching off
/// each request runs alone. With a token budget (text queues) batches are closed by tokens and grouped by length
/// instead (<see cref="RunByTokensAsync"/>). A full queue refuses at once; cancelled or expired work is dropped unrun.
/// </summary>
public sealed class DynamicBatcher<TWork, TResult> : IAsyncDisposable where TWork : BatchWork<TResult>
{
    private readonly Channel<TWork> _queue = Channel.CreateUnbounded<TWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly BatchingSettings _settings;
    private readonly Action<List<TWork>> _execute;
    private readonly Action<TWork> _dropped;
    private readonly Task _loop;
    private int _pending;

    /// <param name="execute">Runs one batch and completes every work in it; exceptions fail the whole batch.</param>
    /// <param name="dropped">Told about work dropped because it was cancelled or expired in the queue.</param>
    public DynamicBatcher(BatchingSettings settings, Action<List<TWork>> execute, Action<TWork> dropped)
    {
        _settings = settings;
        _execute = execute;
        _dropped = dropped;
        _loop = Task.Factory.StartNew(settings.ByTokens ? RunByTokensAsync : (Func<Task>)RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public BatchingSettings Settings => _settings;

    /// <summary>Requests waiting in the queue (not yet running).</summary>
    public int PendingCount => Volatile.Read(ref _pending);

    /// <summary>Queues the work, or throws RESOURCE_EXHAUSTED at once when the queue is full.</summary>
    public Task<TResult> EnqueueAsync(TWork work)
    {
        var pending = Interlocked.Increment(ref _pending);
        if (_settings.MaxQueueSize > 0 && pending > _settings.MaxQueueSize)
        {
            Interlocked.Decrement(ref _pending);
            throw new InferenceException(InferenceErrorReason.ResourceExhausted,
                $"The model's queue is full ({_settings.MaxQueueSize} requests waiting); retry later.");
        }
        work.EnqueuedAt = Stopwatch.GetTimestamp();
        if (!_queue.Writer.TryWrite(work))
        {
            Interlocked.Decrement(ref _pending);
            throw new InferenceException(InferenceErrorReason.Unavailable, "The model is being unloaded.");
        }
        return work.Completion;
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<TWork>(_settings.MaxBatchSize);
        TWork? carried = null;

        while (true)
        {
            var first = carried ?? await TakeAsync(reader).ConfigureAwait(false);
            carried = null;
            if (first is null) return; // completed and drained
            batch.Add(first);
            var rows = first.Rows;

            if (_settings.Enabled)
            {
                var waitUntil = first.EnqueuedAt + (long)(_settings.MaxQueueDelay.TotalSeconds * Stopwatch.Frequency);
                while (rows < _settings.MaxBatchSize)
                {
                    if (reader.TryRead(out var next))
                    {
                        if (!Accept(next)) continue;
                        if (rows + next.Rows > _settings.MaxBatchSize || !next.CanJoin(first))
                        {
                            carried = next; // starts the next batch
                            break;
                        }
                        batch.Add(next);
                        rows += next.Rows;
                        continue;
                    }
                    // Nothing more queued right now: run at a preferred size, or once the oldest has waited long enough.
                    if (Array.IndexOf(_settings.PreferredBatchSizes, rows) >= 0) break;
                    var remaining = waitUntil - Stopwatch.GetTimestamp();
                    if (remaining <= 0) break;
                    if (!await WaitForMoreAsync(reader, TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency)).ConfigureAwait(false)) break;
                }
            }

            Execute(batch);
            batch.Clear();
        }
    }

    /// <summary>
    /// The token policy: queued work is taken into a waiting list (it still counts against the queue's size until it
    /// is batched), and each batch is the oldest work plus the waiting work nearest to it in length that the budget
    /// admits (<see cref="TokenBudget"/>). It runs once the waiting work fills a batch, or once the oldest has waited
    /// MaxQueueDelay; what is left out starts the next batches.
    /// </summary>
    private async Task RunByTokensAsync()
    {
        var reader = _queue.Reader;
        var waiting = new List<TWork>();
        while (true)
        {
            if (waiting.Count == 0 && !await reader.WaitToReadAsync().ConfigureAwait(false)) return; // completed and drained
            Drain(reader, waiting); // what arrived while the last batch ran may group better than what was left
            if (waiting.Count == 0) continue;
            var waitUntil = waiting[0].EnqueuedAt + (long)(_settings.MaxQueueDelay.TotalSeconds * Stopwatch.Frequency);
            while (!TokenBudget.Fills(waiting, _settings))
            {
                var remaining = waitUntil - Stopwatch.GetTimestamp();
                if (remaining <= 0) break;
                if (!await WaitForMoreAsync(reader, TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency)).ConfigureAwait(false)) break;
                Drain(reader, waiting);
            }

            var now = Stopwatch.GetTimestamp();
            // Work whose caller left while it waited is answered now, not counted against the budget.
            waiting.RemoveAll(work => work.Cancellation.IsCancellationRequested && !Dequeue(work, now));
            if (waiting.Count == 0) continue;
            var batch = TokenBudget.Take(waiting, _settings, (work, first) => work.CanJoin(first));
            batch.RemoveAll(work => !Dequeue(work, now));
            if (batch.Count > 0) Execute(batch);
        }
    }

    /// <summary>Moves what is queued now into the waiting list, dropping cancelled work at once.</summary>
    private void Drain(ChannelReader<TWork> reader, List<TWork> waiting)
    {
        while (reader.TryRead(out var work))
        {
            if (work.Cancellation.IsCancellationRequested) Dequeue(work, Stopwatch.GetTimestamp());
            else waiting.Add(work);
        }
    }

    /// <summary>Runs one batch; if it fails, reruns each work alone, so one request's bad data fails only that request.</summary>
    private void Execute(List<TWork> batch)
    {
        try
        {
            _execute(batch);
        }
        catch (Exception error) when (batch.Count > 1)
        {
            _ = error;
            foreach (var work in batch)
            {
                try
                {
                    _execute([work]);
                }
                catch (Exception own)
                {
                    work.Fail(own);
                }
            }
        }
        catch (Exception error)
        {
            batch[0].Fail(error);
        }
    }

    /// <summary>The next live work, or null when the queue is completed and empty.</summary>
    private async ValueTask<TWork?> TakeAsync(ChannelReader<TWork> reader)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var work))
            {
                if (Accept(work)) return work;
            }
        }
        return null;
    }

    /// <summary>Marks work as taken from the queue; drops it if its caller has gone or its deadline passed.</summary>
    private bool Accept(TWork work) => Dequeue(work, Stopwatch.GetTimestamp());

    private bool Dequeue(TWork work, long now)
    {
        Interlocked.Decrement(ref _pending);
        work.DequeuedAt = now;
        if (!work.Cancellation.IsCancellationRequested) return true;
        work.Cancel();
        _dropped(work);
        return false;
    }

    private static async ValueTask<bool> WaitForMoreAsync(ChannelReader<TWork> reader, TimeSpan timeout)
    {
        // Sub-millisecond delays are not worth a timer: the OS cannot wake us that precisely anyway.
        if (timeout < TimeSpan.FromMilliseconds(1))
        {
            Thread.Yield();
            return true; // the caller re-reads the queue and the clock

        }
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            return await reader.WaitToReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return reader.TryPeek(out _);
        }
    }

    /// <summary>Stops taking work, runs what is already queued, then returns.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
