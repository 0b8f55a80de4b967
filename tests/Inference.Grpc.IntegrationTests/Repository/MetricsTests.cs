using MlStack.Inference.Execution;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Repository;

[Collection(ServerCollection.Name)]
public sealed class MetricsTests(InferenceServer server)
{
    [Fact]
    public async Task Serving_metrics_are_exported_with_valid_prometheus_names()
    {
        await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { "count me" } });
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => server.Embeddings.EmbedAsync(new EmbedRequest { Model = "missing", Texts = { "x" } }).ResponseAsync);

        string[] names =
        [
            "mlstack_inference_request_success_total", "mlstack_inference_request_failure_total",
            "mlstack_inference_request_duration_seconds_bucket", "mlstack_inference_queue_duration_seconds_bucket",
            "mlstack_inference_compute_duration_seconds_bucket", "mlstack_inference_count_total",
            "mlstack_inference_execution_count_total", "mlstack_inference_batch_size_bucket",
            "mlstack_inference_pending_requests", "mlstack_inference_model_ready", "mlstack_inference_execution_provider",
        ];
        // The exporter caches a scrape for 300 ms and the server shares its endpoint with other tests, so a scrape taken
        // right after the two calls may predate them: read until one has both calls in it (bounded), then check it all.
        var text = await Polling.UntilAsync(() => server.Http.GetStringAsync("/metrics"),
            scrape => scrape.Contains("code=\"NotFound\"") && names.All(name => scrape.Contains(name + "{")),
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(400));

        foreach (var name in names)
        {
            Assert.Contains(name + "{", text);
        }
        Assert.Contains("mlstack_inference_model_ready{otel_scope_name=\"MlStack.Inference\",model=\"all-MiniLM-L6-v2\",version=\"1\"} 1", text);
        Assert.Contains($"provider=\"{(File.Exists("/dev/nvidia0") ? "cuda" : "cpu")}\"", text);
        Assert.Contains("code=\"NotFound\"", text);

        await Promtool.AssertMetricsAcceptedAsync(string.Join('\n', text.Split('\n').Where(l => l.Contains("mlstack_"))) + "\n", "the inference metrics");
    }

    [Fact]
    public async Task Gpu_metrics_are_absent_without_a_gpu_never_zero()
    {
        if (File.Exists("/dev/nvidia0")) return; // the GPU case is checked on GPU hosts by the series being present

        Assert.Null(NvmlGpuMetrics.TryCreate(out var reason));
        Assert.False(string.IsNullOrEmpty(reason));
        var text = await server.Http.GetStringAsync("/metrics");
        Assert.DoesNotContain("mlstack_gpu_", text);
    }

    [Fact]
    public void Nvml_reports_absence_when_its_library_cannot_load()
    {
        Assert.Null(NvmlGpuMetrics.TryCreate("libnvidia-ml-missing.so.1", out var reason));
        Assert.Contains("not found", reason);
    }
}
