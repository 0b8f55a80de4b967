using System.Diagnostics;
using System.Diagnostics.Metrics;
using MlStack.Inference.Batching;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Repository;

/// <summary>
/// Triton-like serving metrics under Prometheus naming (seconds, _total): per model and version, request
/// success and failure, request/queue/compute time, inference count (rows) and execution count (ONNX Runtime
/// runs) whose ratio is the average batch size, batch size histograms (rows, requests, and for texts tokens and the
/// share of them that is padding) and the queue depth.
/// Gauges for load state, queue depth and provider are observed from the model repository.
/// </summary>
public sealed class InferenceMetrics
{
    public const string MeterName = "MlStack.Inference";

    private static readonly double[] SecondsBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly int[] BatchBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    private static readonly int[] TokenBuckets = [16, 64, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];

    private static readonly double[] RatioBuckets = [0, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9];

    private readonly Counter<long> _success;
    private readonly Counter<long> _failure;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _queueDuration;
    private readonly Histogram<double> _computeDuration;
    private readonly Counter<long> _inferences;
    private readonly Counter<long> _executions;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<int> _batchRequests;
    private readonly Histogram<int> _batchTokens;
    private readonly Histogram<double> _paddingRatio;

    public InferenceMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _success = Meter.CreateCounter<long>("mlstack.inference.request.success", description: "Inference requests answered successfully.");
        _failure = Meter.CreateCounter<long>("mlstack.inference.request.failure", description: "Inference requests that failed, by gRPC status code.");
        _requestDuration = Meter.CreateHistogram("mlstack.inference.request.duration", "s", "Time from receiving an inference request to answering it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _queueDuration = Meter.CreateHistogram("mlstack.inference.queue.duration", "s", "Time a request waited in its model's queue.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _computeDuration = Meter.CreateHistogram("mlstack.inference.compute.duration", "s", "Time of one ONNX Runtime run (a whole batch), input preparation and output split included.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _inferences = Meter.CreateCounter<long>("mlstack.inference.count", description: "Inferences performed (batch rows; a request of n rows counts n).");
        _executions = Meter.CreateCounter<long>("mlstack.inference.execution.count", description: "ONNX Runtime runs; inference count divided by this is the average batch size.");
        _batchSize = Meter.CreateHistogram("mlstack.inference.batch.size", description: "Rows per ONNX Runtime run.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
        _batchRequests = Meter.CreateHistogram("mlstack.inference.batch.requests", description: "Queued requests (or parts of one) merged into one ONNX Runtime run.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = BatchBuckets });
        _batchTokens = Meter.CreateHistogram("mlstack.inference.batch.tokens", description: "Tokens one embedding run computes, padding included (rows times the longest text).",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = TokenBuckets });
        _paddingRatio = Meter.CreateHistogram("mlstack.inference.batch.padding.ratio", description: "Share of an embedding run's tokens that are padding (0 to 1).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = RatioBuckets });
    }

    public Meter Meter { get; }

    public void RequestSucceeded(string model, string version, TimeSpan duration)
    {
        var tags = Tags(model, version);
        _success.Add(1, tags);
        _requestDuration.Record(duration.TotalSeconds, tags);
    }

    public void RequestFailed(string model, string version, InferenceErrorReason code) =>
        _failure.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("version", version),
            new KeyValuePair<string, object?>("code", code.ToString()));

    public void Queued(string model, string version, TimeSpan queueTime) =>
        _queueDuration.Record(queueTime.TotalSeconds, Tags(model, version));

    public void Executed(string model, string version, int rows, TimeSpan computeTime)
    {
        var tags = Tags(model, version);
        _executions.Add(1, tags);
        _inferences.Add(rows, tags);
        _batchSize.Record(rows, tags);
        _computeDuration.Record(computeTime.TotalSeconds, tags);
    }

    /// <summary>The size of one run: its requests, and for work with tokens its padded tokens and padding share.</summary>
    public void Batched(string model, string version, BatchTokens batch)
    {
        var tags = Tags(model, version);
        _batchRequests.Record(batch.Requests, tags);
        if (batch.Padded == 0) return; // tensors have no tokens
        _batchTokens.Record((int)Math.Min(batch.Padded, int.MaxValue), tags);
        _paddingRatio.Record(batch.PaddingRatio, tags);
    }

    private static TagList Tags(string model, string version) => new()
    {
        { "model", model },
        { "version", version },
    };
}
