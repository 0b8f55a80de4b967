using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MlStack.Inference.Generation.Scheduling;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Generation;

/// <summary>
/// vLLM-style serving metrics on the meter "MlStack.Inference.Generation" (exported by ServiceDefaults to
/// Prometheus and OTLP), every measurement labelled with the model and its version, so versions under a traffic
/// split can be compared. In Prometheus they read e.g. mlstack_generation_time_to_first_token_seconds_bucket,
/// mlstack_generation_requests_running, mlstack_generation_batch_size_bucket, mlstack_generation_kv_cache_usage_ratio.
/// </summary>
public sealed class GenerationMetrics
{
    public const string MeterName = "MlStack.Inference.Generation";

    private static readonly double[] LatencyBuckets =
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

    private static readonly int[] TokenBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

    private static readonly int[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly Histogram<double> _e2eLatency;
    private readonly Histogram<double> _queueTime;
    private readonly Histogram<int> _requestPromptTokens;
    private readonly Histogram<int> _requestGenerationTokens;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _generationTokens;
    private readonly Counter<long> _requestSuccess;
    private readonly Counter<long> _requestFailure;
    private readonly UpDownCounter<int> _running;
    private readonly UpDownCounter<int> _waiting;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<int> _prefillChunk;
    private readonly Counter<long> _prefixQueries;
    private readonly Counter<long> _prefixHits;
    private readonly Counter<long> _prefixQueriedTokens;
    private readonly Counter<long> _prefixHitTokens;
    private readonly Counter<long> _prefixEvictions;
    private readonly Counter<long> _prefills;
    private readonly ConcurrentDictionary<GenerationScheduler, byte> _schedulers = new();

    public GenerationMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _timeToFirstToken = Seconds("mlstack.generation.time_to_first_token", "Time from the request's arrival to its first generated token.");
        _interTokenLatency = Seconds("mlstack.generation.inter_token_latency", "Time between two generated tokens of a request.");
        _e2eLatency = Seconds("mlstack.generation.e2e_request_latency", "Time from the request's arrival to its last token.");
        _queueTime = Seconds("mlstack.generation.request_queue_time", "Time a request waited before its prompt was scheduled.");
        _requestPromptTokens = Meter.CreateHistogram<int>("mlstack.generation.request_prompt_tokens", "{token}",
            "Prompt tokens per request.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = TokenBuckets });
        _requestGenerationTokens = Meter.CreateHistogram<int>("mlstack.generation.request_generation_tokens", "{token}",
            "Generated tokens per request.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = TokenBuckets });
        _promptTokens = Meter.CreateCounter<long>("mlstack.generation.prompt_tokens", "{token}", "Prompt tokens prefilled.");
        _generationTokens = Meter.CreateCounter<long>("mlstack.generation.generation_tokens", "{token}", "Tokens generated.");
        _requestSuccess = Meter.CreateCounter<long>("mlstack.generation.request_success", "{request}",
            "Finished requests by finished_reason (stop, length, cancelled).");
        _requestFailure = Meter.CreateCounter<long>("mlstack.generation.request_failure", "{request}",
            "Requests refused or failed by gRPC status code (bad input, capacity, errors).");
        _running = Meter.CreateUpDownCounter<int>("mlstack.generation.requests_running", "{request}", "Sequences scheduled now (prefilling or decoding).");
        _waiting = Meter.CreateUpDownCounter<int>("mlstack.generation.requests_waiting", "{request}", "Requests waiting to be scheduled.");
        _batchSize = Meter.CreateHistogram<int>("mlstack.generation.batch_size", "{sequence}",
            "Sequences in one decoder step (one ONNX Runtime run).", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
        _prefillChunk = Meter.CreateHistogram<int>("mlstack.generation.prefill_chunk_tokens", "{token}",
            "Prompt tokens in one prefill run (long prompts run in chunks between decoder steps).", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = TokenBuckets });
        _prefixQueries = Meter.CreateCounter<long>("mlstack.generation.prefix_cache_queries", "{request}",
            "Prompts looked up in the prefix cache.");
        _prefixHits = Meter.CreateCounter<long>("mlstack.generation.prefix_cache_hits", "{request}",
            "Prompts that found at least one block in the prefix cache.");
        _prefixQueriedTokens = Meter.CreateCounter<long>("mlstack.generation.prefix_cache_queried_tokens", "{token}",
            "Prompt tokens of the prompts looked up in the prefix cache.");
        _prefixHitTokens = Meter.CreateCounter<long>("mlstack.generation.prefix_cache_hit_tokens", "{token}",
            "Prompt tokens whose KV came from the prefix cache (not prefilled).");
        _prefixEvictions = Meter.CreateCounter<long>("mlstack.generation.prefix_cache_evictions", "{block}",
            "Prefix-cache blocks evicted to make room (least recently used first).");
        Meter.CreateObservableGauge("mlstack.generation.prefix_cache_bytes", () =>
            _schedulers.Keys.Where(s => s.Model.PrefixCache is not null).Select(s => new Measurement<long>(s.Model.PrefixCache!.Bytes, s.Model.Tags)),
            "By", "Bytes of KV the model's prefix-cache blocks hold (all models share Generation:PrefixCacheBytes).");
        _prefills = Meter.CreateCounter<long>("mlstack.generation.prefills", "{prompt}",
            "Prompts prefilled to the end; the n choices of one request share one prefill.");
        Meter.CreateObservableGauge("mlstack.generation.kv_cache_usage", () =>
            _schedulers.Keys.Select(s => new Measurement<double>((double)s.KvSlots / s.Settings.KvCacheTokens, s.Model.Tags)),
            "1", "KV cache positions held (padding included) as a share of the model's budget (generation.kv_cache_tokens).");
        Meter.CreateObservableGauge("mlstack.generation.kv_cache_tokens", () =>
            _schedulers.Keys.Select(s => new Measurement<long>(s.KvSlots, s.Model.Tags)),
            "{token}", "KV cache positions held now, padding included.");
    }

    public Meter Meter { get; }

    /// <summary>The labels of one model version; built once per version.</summary>
    public static KeyValuePair<string, object?>[] Tags(string model, string version) => [new("model", model), new("version", version)];

    /// <summary>Observes a scheduler's KV cache until it is untracked.</summary>
    public void Track(GenerationScheduler scheduler) => _schedulers[scheduler] = 0;

    public void Untrack(GenerationScheduler scheduler) => _schedulers.TryRemove(scheduler, out _);

    public void WaitingChanged(KeyValuePair<string, object?>[] tags, int delta) => _waiting.Add(delta, tags);

    public void RunningChanged(KeyValuePair<string, object?>[] tags, int delta) => _running.Add(delta, tags);

    /// <summary>A waiting request was scheduled after <paramref name="waited"/>.</summary>
    public void Admitted(KeyValuePair<string, object?>[] tags, TimeSpan waited)
    {
        _queueTime.Record(waited.TotalSeconds, tags);
        _running.Add(1, tags);
    }

    public void PrefillChunk(KeyValuePair<string, object?>[] tags, int tokens) => _prefillChunk.Record(tokens, tags);

    /// <summary>A prompt of <paramref name="promptTokens"/> was looked up; <paramref name="hitTokens"/> of them came from the cache.</summary>
    public void PrefixCacheQueried(KeyValuePair<string, object?>[] tags, int promptTokens, int hitTokens)
    {
        _prefixQueries.Add(1, tags);
        _prefixQueriedTokens.Add(promptTokens, tags);
        if (hitTokens > 0)
        {
            _prefixHits.Add(1, tags);
            _prefixHitTokens.Add(hitTokens, tags);
        }
    }

    public void PrefixBlockEvicted(KeyValuePair<string, object?>[] tags) => _prefixEvictions.Add(1, tags);
    /// <summary>A prompt's prefill finished (once for the n choices of a request).</summary>
    public void PromptPrefilled(KeyValuePair<string, object?>[] tags) => _prefills.Add(1, tags);

    public void BatchStep(KeyValuePair<string, object?>[] tags, int sequences) => _batchSize.Record(sequences, tags);

    public void Prefilled(KeyValuePair<string, object?>[] tags, int promptTokens)
    {
        _promptTokens.Add(promptTokens, tags);
        _requestPromptTokens.Record(promptTokens, tags);
    }

    public void FirstToken(KeyValuePair<string, object?>[] tags, TimeSpan sinceArrival)
    {
        _timeToFirstToken.Record(sinceArrival.TotalSeconds, tags);
        _generationTokens.Add(1, tags);
    }

    public void NextToken(KeyValuePair<string, object?>[] tags, TimeSpan sincePrevious)
    {
        _interTokenLatency.Record(sincePrevious.TotalSeconds, tags);
        _generationTokens.Add(1, tags);
    }

    public void Finished(KeyValuePair<string, object?>[] tags, string finishReason, TimeSpan sinceArrival, int generatedTokens)
    {
        _e2eLatency.Record(sinceArrival.TotalSeconds, tags);
        _requestGenerationTokens.Record(generatedTokens, tags);
        _requestSuccess.Add(1, [.. tags, new KeyValuePair<string, object?>("finished_reason", finishReason)]);
    }

    public void Failed(KeyValuePair<string, object?>[] tags, InferenceErrorReason code) =>
        _requestFailure.Add(1, [.. tags, new KeyValuePair<string, object?>("code", code.ToString())]);

    private Histogram<double> Seconds(string name, string description) =>
        Meter.CreateHistogram<double>(name, "s", description,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
}
