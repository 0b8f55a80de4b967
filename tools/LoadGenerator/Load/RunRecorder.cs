using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using MlStack.LoadGenerator.Targets;

namespace MlStack.LoadGenerator.Load;

/// <summary>
/// Counts and latencies of one phase of a run, safe to record from every worker at once. Latencies go into
/// HdrHistograms in microseconds (3 significant digits, up to an hour), so percentiles cost no sorting and no memory
/// per request.
/// </summary>
public sealed class RunRecorder
{
    private const long HighestMicroseconds = 3_600_000_000;

    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private long _sent;
    private long _ok;
    private long _tokens;
    private long _lastCompletion;

    public LongConcurrentHistogram Latency { get; } = NewHistogram();

    /// <summary>Time to first token of the streamed requests that produced one, from their intended start.</summary>
    public LongConcurrentHistogram TimeToFirstToken { get; } = NewHistogram();

    /// <summary>Gaps between consecutive tokens of a stream.</summary>
    public LongConcurrentHistogram InterTokenLatency { get; } = NewHistogram();

    public long Sent => Interlocked.Read(ref _sent);

    public long Ok => Interlocked.Read(ref _ok);

    public long Failed => _errors.Values.Sum();

    public long Tokens => Interlocked.Read(ref _tokens);

    public IReadOnlyDictionary<string, long> Errors => _errors;

    /// <summary>Stopwatch timestamp of the last answer, 0 before any.</summary>
    public long LastCompletion => Interlocked.Read(ref _lastCompletion);

    public void Started() => Interlocked.Increment(ref _sent);

    /// <param name="intendedStart">Stopwatch timestamp the request was due (open loop) or sent (closed loop).</param>
    public void Completed(long intendedStart, long end, RequestOutcome outcome)
    {
        Latency.RecordValue(Microseconds(Stopwatch.GetElapsedTime(intendedStart, end)));
        if (outcome.Ok)
        {
            Interlocked.Increment(ref _ok);
            Interlocked.Add(ref _tokens, outcome.Tokens);
            if (outcome.Stream is { FirstTokenAt: { } first } stream)
            {
                TimeToFirstToken.RecordValue(Microseconds(Stopwatch.GetElapsedTime(intendedStart, first)));
                foreach (var gap in stream.InterTokenGapsMs) InterTokenLatency.RecordValue(Microseconds(TimeSpan.FromMilliseconds(gap)));
            }
        }
        else
        {
            _errors.AddOrUpdate(outcome.Error!, 1, (_, n) => n + 1);
        }
        long seen;
        while ((seen = Interlocked.Read(ref _lastCompletion)) < end && Interlocked.CompareExchange(ref _lastCompletion, end, seen) != seen)
        {
        }
    }

    private static long Microseconds(TimeSpan span) => Math.Clamp((long)Math.Round(span.TotalMicroseconds), 1, HighestMicroseconds);

    private static LongConcurrentHistogram NewHistogram() => new(1, HighestMicroseconds, 3);
}
