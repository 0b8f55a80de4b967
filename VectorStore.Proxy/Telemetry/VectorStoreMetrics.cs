using System.Diagnostics.Metrics;

namespace MlStack.VectorStore.Telemetry;

/// <summary>
/// The "MlStack.VectorStore" meter (exported to Prometheus and OTLP by the service defaults): ingest throughput,
/// query latency, Chroma call latency and errors, and documents/chunks per collection.
/// </summary>
public sealed class VectorStoreMetrics
{
    public const string MeterName = "MlStack.VectorStore";

    /// <summary>
    /// The collection label of a call that failed before its collection resolved: labels only name collections that
    /// exist, since free-form names from bad requests would grow the series on the open /metrics without bound.
    /// </summary>
    public const string UnknownCollection = "unknown";

    private readonly Counter<long> _ingestedChunks;
    private readonly Counter<long> _ingests;
    private readonly Histogram<double> _ingestDuration;
    private readonly Histogram<double> _queryDuration;
    private readonly Histogram<double> _chromaDuration;
    private readonly Counter<long> _chromaErrors;
    private readonly Histogram<double> _embedDuration;

    public VectorStoreMetrics(IMeterFactory meterFactory, CollectionStatistics statistics)
    {
        var meter = meterFactory.Create(MeterName);
        _ingestedChunks = meter.CreateCounter<long>("mlstack.vectorstore.ingest.chunks", "{chunk}",
            "Chunks embedded and written; rate() gives ingest chunks per second.");
        _ingests = meter.CreateCounter<long>("mlstack.vectorstore.ingest.documents", "{document}",
            "Ingest calls by outcome (committed, unchanged, failed).");
        _ingestDuration = meter.CreateHistogram<double>("mlstack.vectorstore.ingest.duration", "s",
            "Time to ingest one document, extraction to commit.");
        _queryDuration = meter.CreateHistogram<double>("mlstack.vectorstore.query.duration", "s",
            "Time to answer one query, embedding included.");
        _chromaDuration = meter.CreateHistogram<double>("mlstack.vectorstore.chroma.duration", "s",
            "Time of one Chroma API call with its retries.");
        _chromaErrors = meter.CreateCounter<long>("mlstack.vectorstore.chroma.errors", "{error}",
            "Chroma calls that failed, by operation and reason.");
        _embedDuration = meter.CreateHistogram<double>("mlstack.vectorstore.embed.duration", "s",
            "Time of one batch embedding call to the inference service.");
        meter.CreateObservableGauge("mlstack.vectorstore.collection.documents",
            () => statistics.Snapshot().Select(s => new Measurement<long>(s.Documents, new KeyValuePair<string, object?>("collection", s.Collection))),
            "{document}", "Committed documents per collection.");
        meter.CreateObservableGauge("mlstack.vectorstore.collection.chunks",
            () => statistics.Snapshot().Select(s => new Measurement<long>(s.Chunks, new KeyValuePair<string, object?>("collection", s.Collection))),
            "{chunk}", "Chunk records per collection.");
    }

    public void Ingested(string collection, string outcome, int chunks, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("collection", collection);
        if (chunks > 0) _ingestedChunks.Add(chunks, tag);
        _ingests.Add(1, tag, new KeyValuePair<string, object?>("outcome", outcome));
        _ingestDuration.Record(elapsed.TotalSeconds, tag, new KeyValuePair<string, object?>("outcome", outcome));
    }

    public void Queried(string collection, string outcome, TimeSpan elapsed) =>
        _queryDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("collection", collection), new KeyValuePair<string, object?>("outcome", outcome));

    public void ChromaCall(string operation, string outcome, TimeSpan elapsed) =>
        _chromaDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("outcome", outcome));

    public void ChromaError(string operation, string reason) =>
        _chromaErrors.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("reason", reason));

    public void Embedded(int texts, TimeSpan elapsed) =>
        _embedDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("texts", texts <= 1 ? "1" : "batch"));
}
