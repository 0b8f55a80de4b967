using System.Diagnostics;
using System.Threading.Channels;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Batching;

/// <summary>
/// A model's request queue. One consumer takes queued work and runs it: with batching on, work that arrives
/// together is merged into one run of up to MaxBatchSize rows, waiting at most MaxQueueDelay after the oldest
/// item for more (it stops early at a preferred batch size when nothing else is queued); with batching off
/// each request runs alone. A full queue refuses at once; cancelled or expired work is dropped unrun.
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
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
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

            try
            {
                _execute(batch);
            }
            catch (Exception error) when (batch.Count > 1)
            {
                // One request's bad data must not fail the others merged with it: rerun each alone.
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
            batch.Clear();
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
    private bool Accept(TWork work)
    {
        Interlocked.Decrement(ref _pending);
        work.DequeuedAt = Stopwatch.GetTimestamp();
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
