namespace MlStack.Dashboard.Services.Metrics;

/// <summary>
/// The charts, as PromQL over the series the services export (names as Prometheus shows them: see
/// Inference.Grpc/Telemetry/InferenceMetrics.cs and Inference.Grpc/Generation/GenerationMetrics.cs).
/// Rates use a 1-minute window: four scrapes at the stack's 5 s interval, smooth enough and still quick to react.
/// </summary>
public static class MetricPanels
{
    private const string Window = "1m";

    public static readonly IReadOnlyList<MetricPanel> All =
    [
        new("requests", "Requests", "req/s",
        [
            new("inference", $"sum(rate({{__name__=~\"mlstack_inference_request_(success|failure)_total\"}}[{Window}]))"),
            new("generation", $"sum(rate(mlstack_generation_request_success_total[{Window}]))"),
            new("vector queries", $"sum(rate(mlstack_vectorstore_query_duration_seconds_count[{Window}]))"),
        ], "No requests yet: send a chat or an embedding request."),
        new("latency", "Generation latency (end to end)", "s", Quantiles("mlstack_generation_e2e_request_latency_seconds_bucket"),
            "No finished generation in this range."),
        new("inference-latency", "Inference request latency", "s", Quantiles("mlstack_inference_request_duration_seconds_bucket"),
            "No inference (KServe or embedding) request in this range."),
        new("ttft", "Time to first token", "s", Quantiles("mlstack_generation_time_to_first_token_seconds_bucket"),
            "No generation in this range."),
        new("tokens", "Tokens per second", "tok/s",
        [
            new("generated", $"sum(rate(mlstack_generation_generation_tokens_total[{Window}]))"),
            new("prompt", $"sum(rate(mlstack_generation_prompt_tokens_total[{Window}]))"),
        ], "No tokens generated in this range."),
        new("prefix-cache", "Prefix cache hit rate", "%",
        [
            // Token hit rate, as vLLM's dashboards: prompt tokens that came from the cache over prompt tokens looked up.
            new("{model}", $"100 * sum by (model) (rate(mlstack_generation_prefix_cache_hit_tokens_total[{Window}])) / sum by (model) (rate(mlstack_generation_prefix_cache_queried_tokens_total[{Window}]))"),
        ], "No prompt was looked up in the prefix cache in this range (or Generation:PrefixCaching is off)."),
        new("batch", "Average batch size", "rows/run",
        [
            new("{model}", $"sum by (model) (rate(mlstack_inference_count_total[{Window}])) / sum by (model) (rate(mlstack_inference_execution_count_total[{Window}]))"),
        ], "No batched inference (embeddings, KServe) in this range."),
        new("queue", "Queue time (p95)", "s",
        [
            new("inference {model}", $"histogram_quantile(0.95, sum by (le, model) (rate(mlstack_inference_queue_duration_seconds_bucket[{Window}])))"),
            new("generation {model}", $"histogram_quantile(0.95, sum by (le, model) (rate(mlstack_generation_request_queue_time_seconds_bucket[{Window}])))"),
        ], "Nothing waited in a queue in this range."),
        new("errors", "Error rate", "%",
        [
            new("inference", $"100 * (sum(rate(mlstack_inference_request_failure_total[{Window}])) or vector(0)) / sum(rate({{__name__=~\"mlstack_inference_request_(success|failure)_total\"}}[{Window}]))"),
            new("HTTP 5xx {job}", $"100 * (sum by (job) (rate(http_server_request_duration_seconds_count{{http_response_status_code=~\"5..\"}}[{Window}])) or 0 * sum by (job) (rate(http_server_request_duration_seconds_count[{Window}]))) / sum by (job) (rate(http_server_request_duration_seconds_count[{Window}]))"),
        ], "No failed request in this range."),
        new("gpu-utilization", "GPU utilisation", "%",
        [
            new("GPU {gpu}", "100 * {__name__=~\"mlstack_gpu_utilization(_ratio)?\"}"),
        ], "No GPU: the inference service exports GPU series only when it finds one.", OnlyWhenPresent: true),
        new("gpu-memory", "GPU memory used", "GiB",
        [
            new("GPU {gpu}", "{__name__=~\"mlstack_gpu_memory_used(_bytes)?\"} / 1073741824"),
        ], "No GPU: the inference service exports GPU series only when it finds one.", OnlyWhenPresent: true),
    ];

    private static IReadOnlyList<MetricLine> Quantiles(string bucket) =>
    [
        new("p50", $"histogram_quantile(0.50, sum by (le) (rate({bucket}[{Window}])))"),
        new("p95", $"histogram_quantile(0.95, sum by (le) (rate({bucket}[{Window}])))"),
        new("p99", $"histogram_quantile(0.99, sum by (le) (rate({bucket}[{Window}])))"),
    ];
}
