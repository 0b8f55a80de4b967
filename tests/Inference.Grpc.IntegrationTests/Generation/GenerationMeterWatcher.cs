using System.Diagnostics.Metrics;
using MlStack.Inference.Generation;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>
/// Watches one host's generation meter: the running sequences, generated tokens, finished requests by reason, the
/// prefix cache's counters, and in
/// order the scheduler's decoder steps (sequences per step) and prefill runs (prompt tokens per run). The scheduler
/// records steps and prefills on its own thread, so their order here is the order they ran in.
/// </summary>
public sealed class GenerationMeterWatcher : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Kind, int Value)> _iterations = [];
    private int _running;
    private int _waiting;
    private long _generated;
    private int _cancelled;
    private long _prefixQueries;
    private long _prefixHits;
    private long _prefixQueriedTokens;
    private long _prefixHitTokens;
    private long _prefixEvictions;

    public GenerationMeterWatcher(GenerationMetrics metrics, string model = "tiny-gpt")
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter)) l.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) =>
        {
            if (!Of(tags, model)) return;
            switch (instrument.Name)
            {
                case "mlstack.generation.requests_running": Interlocked.Add(ref _running, value); break;
                case "mlstack.generation.requests_waiting": Interlocked.Add(ref _waiting, value); break;
                case "mlstack.generation.batch_size": Record("step", value); break;
                case "mlstack.generation.prefill_chunk_tokens":
                    Record("prefill", value);
                    PrefillRan?.Invoke(value);
                    break;
            }
        });
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (!Of(tags, model)) return;
            switch (instrument.Name)
            {
                case "mlstack.generation.generation_tokens": Interlocked.Add(ref _generated, value); break;
                case "mlstack.generation.prefix_cache_queries": Interlocked.Add(ref _prefixQueries, value); break;
                case "mlstack.generation.prefix_cache_hits": Interlocked.Add(ref _prefixHits, value); break;
                case "mlstack.generation.prefix_cache_queried_tokens": Interlocked.Add(ref _prefixQueriedTokens, value); break;
                case "mlstack.generation.prefix_cache_hit_tokens": Interlocked.Add(ref _prefixHitTokens, value); break;
                case "mlstack.generation.prefix_cache_evictions": Interlocked.Add(ref _prefixEvictions, value); break;
            }
            if (instrument.Name != "mlstack.generation.request_success") return;
            foreach (var tag in tags)
            {
                if (tag is { Key: "finished_reason", Value: "cancelled" }) Interlocked.Increment(ref _cancelled);
            }
        });
        _listener.Start();
    }

    public int Running => Volatile.Read(ref _running);
    public int Waiting => Volatile.Read(ref _waiting);
    public long Generated => Interlocked.Read(ref _generated);
    public int Cancelled => Volatile.Read(ref _cancelled);
    public long PrefixQueries => Interlocked.Read(ref _prefixQueries);
    public long PrefixHits => Interlocked.Read(ref _prefixHits);
    public long PrefixQueriedTokens => Interlocked.Read(ref _prefixQueriedTokens);
    public long PrefixHitTokens => Interlocked.Read(ref _prefixHitTokens);
    public long PrefixEvictions => Interlocked.Read(ref _prefixEvictions);

    /// <summary>
    /// Called on the scheduler's thread after each prefill run (with its prompt tokens), before the scheduler goes on:
    /// a test can act between two chunks of a prompt there.
    /// </summary>
    public Action<int>? PrefillRan { get; set; }

    /// <summary>Decoder steps ("step", sequences in it) and prefill runs ("prefill", prompt tokens), in the order they ran.</summary>
    public IReadOnlyList<(string Kind, int Value)> Iterations
    {
        get
        {
            lock (_iterations)
            {
                return [.. _iterations];
            }
        }
    }

    /// <summary>The most sequences one decoder step ran.</summary>
    public int LargestStep => Iterations.Where(i => i.Kind == "step").Select(i => i.Value).DefaultIfEmpty(0).Max();

    /// <summary>
    /// Waits until a request that was admitted has finished (true), or until none was admitted for a while
    /// (false: it was refused before decoding began).
    /// </summary>
    public async Task<bool> WaitUntilSettledAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            if (Running == 0 && Cancelled > 0) return true;
            if (Running != 0 || Generated != 0) quietSince = DateTime.UtcNow;
            else if (DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(2)) return false;
            await Task.Delay(10);
        }
        return Cancelled > 0;
    }

    /// <summary>Waits until no sequence runs and <paramref name="cancelled"/> requests were cancelled.</summary>
    public async Task WaitUntilStoppedAsync(int cancelled = 1)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((Running != 0 || Cancelled < cancelled) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
    }

    private void Record(string kind, int value)
    {
        lock (_iterations)
        {
            _iterations.Add((kind, value));
        }
    }

    private static bool Of(ReadOnlySpan<KeyValuePair<string, object?>> tags, string model)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == "model") return Equals(tag.Value, model);
        }
        return false;
    }

    public void Dispose() => _listener.Dispose();
}
