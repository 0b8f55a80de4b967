using System.Diagnostics.Metrics;

namespace MlStack.Inference.Generation;

/// <summary>
/// vLLM-style serving metrics on the meter "MlStack.Inference.Generation" (exported by ServiceDefaults to
/// Prometheus and OTLP), every measurement tagged with the model. In Prometheus they read e.g.
/// mlstack_generation_time_to_first_token_seconds_bucket, mlstack_generation_prompt_tokens_total,
/// mlstack_generation_requests_running.
/// </summary>
public sealed class GenerationMetrics
{
    public const string MeterName = "MlStack.Inference.Generation";

    private static readonly double[] LatencyBuckets =
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];

    private static readonly double[] TokenBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interTokenLatency;
    private readonly Histogram<double> _e2eLatency;
    private readonly Histogram<double> _queueTime;
    private readonly Histogram<int> _requestPromptTokens;
    private readonly Histogram<int> _requestGenerationTokens;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _generationTokens;
    private readonly Counter<long> _requestSuccess;
    private readonly UpDownCounter<int> _running;
    private readonly UpDownCounter<int> _waiting;

    public GenerationMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _timeToFirstToken = Seconds("mlstack.generation.time_to_first_token", "Time from the request's arrival to its first generated token.");
        _interTokenLatency = Seconds("mlstack.generation.inter_token_latency", "Time between two generated tokens of a request.");
        _e2eLatency = Seconds("mlstack.generation.e2e_request_latency", "Time from the request's arrival to its last token.");
        _queueTime = Seconds("mlstack.generation.request_queue_time", "Time a request waited for a free sequence slot.");
        _requestPromptTokens = Meter.CreateHistogram<int>("mlstack.generation.request_prompt_tokens", "{token}",
            "Prompt tokens per request.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = TokenBuckets.Select(b => (int)b).ToArray() });
        _requestGenerationTokens = Meter.CreateHistogram<int>("mlstack.generation.request_generation_tokens", "{token}",
            "Generated tokens per request.", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = TokenBuckets.Select(b => (int)b).ToArray() });
        _promptTokens = Meter.CreateCounter<long>("mlstack.generation.prompt_tokens", "{token}", "Prompt tokens prefilled.");
        _generationTokens = Meter.CreateCounter<long>("mlstack.generation.generation_tokens", "{token}", "Tokens generated.");
        _requestSuccess = Meter.CreateCounter<long>("mlstack.generation.request_success", "{request}",
            "Finished requests by finished_reason (stop, length, cancelled).");
        _running = Meter.CreateUpDownCounter<int>("mlstack.generation.requests_running", "{request}", "Sequences being decoded now.");
        _waiting = Meter.CreateUpDownCounter<int>("mlstack.generation.requests_waiting", "{request}", "Requests waiting for a sequence slot.");
    }

    public Meter Meter { get; }

    public void RunningChanged(string model, int delta) => _running.Add(delta, Tag(model));

    public void WaitingChanged(string model, int delta) => _waiting.Add(delta, Tag(model));

    public void QueueTime(string model, TimeSpan waited) => _queueTime.Record(waited.TotalSeconds, Tag(model));

    public void Prefilled(string model, int promptTokens)
    {
        _promptTokens.Add(promptTokens, Tag(model));
        _requestPromptTokens.Record(promptTokens, Tag(model));
    }

    public void FirstToken(string model, TimeSpan sinceArrival)
    {
        _timeToFirstToken.Record(sinceArrival.TotalSeconds, Tag(model));
        _generationTokens.Add(1, Tag(model));
    }

    public void NextToken(string model, TimeSpan sincePrevious)
    {
        _interTokenLatency.Record(sincePrevious.TotalSeconds, Tag(model));
        _generationTokens.Add(1, Tag(model));
    }

    public void Finished(string model, string finishReason, TimeSpan sinceArrival, int generatedTokens)
    {
        _e2eLatency.Record(sinceArrival.TotalSeconds, Tag(model));
        _requestGenerationTokens.Record(generatedTokens, Tag(model));
        _requestSuccess.Add(1, Tag(model), new KeyValuePair<string, object?>("finished_reason", finishReason));
    }

    private Histogram<double> Seconds(string name, string description) =>
        Meter.CreateHistogram<double>(name, "s", description,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static KeyValuePair<string, object?> Tag(string model) => new("model", model);
}
