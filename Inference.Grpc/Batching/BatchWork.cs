using System.Diagnostics;

namespace MlStack.Inference.Batching;

/// <summary>One request's share of a batch: its rows (along the batch dimension) and how to answer it.</summary>
public abstract class BatchWork<TResult>(int rows, CancellationToken cancellation) : IBatchItem
{
    private readonly TaskCompletionSource<TResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Rows { get; } = rows;

    /// <summary>Tokens of the longest row, special tokens included; 0 for work that has no tokens (tensors).</summary>
    public virtual int LongestRow => 0;

    public virtual int ShortestRow => 0;

    /// <summary>Tokens of all rows, unpadded; 0 for work that has no tokens.</summary>
    public virtual int Tokens => 0;

    /// <summary>Fires when the caller cancels or its deadline passes; such work is dropped before it runs.</summary>
    public CancellationToken Cancellation { get; } = cancellation;

    public long EnqueuedAt { get; internal set; }

    public long DequeuedAt { get; internal set; }

    public Task<TResult> Completion => _completion.Task;

    public TimeSpan QueueTime => Stopwatch.GetElapsedTime(EnqueuedAt, DequeuedAt);

    /// <summary>Whether this work can share one ONNX Runtime run with <paramref name="other"/> (same non-batch shapes).</summary>
    public virtual bool CanJoin(BatchWork<TResult> other) => true;

    public void Complete(TResult result) => _completion.TrySetResult(result);

    public void Fail(Exception error) => _completion.TrySetException(error);

    public void Cancel() => _completion.TrySetCanceled(Cancellation);
}
