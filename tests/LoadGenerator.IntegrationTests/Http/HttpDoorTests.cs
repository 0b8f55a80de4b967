using MlStack.LoadGenerator.IntegrationTests.Infrastructure;
using MlStack.LoadGenerator.Load;
using MlStack.Testing;

namespace MlStack.LoadGenerator.IntegrationTests.Http;

/// <summary>The HTTP doors' contracts against a real server in the test that is slow, flaky or streaming on purpose.</summary>
public sealed class HttpDoorTests : IAsyncLifetime
{
    private ScriptedHttpServer _server = null!;

    public async Task InitializeAsync() => _server = await ScriptedHttpServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Open_loop_latency_includes_the_time_requests_waited_behind_a_slow_server()
    {
        // 10 arrivals a second at a server that serves one request per 200 ms: the queue grows by one every 200 ms,
        // so request i waits about i * 100 ms before its 200 ms of service. Timing only from the send would hide it.
        var (run, report) = await BenchTool.RunCheckedAsync("sagemaker-generate", "--url", _server.Address.ToString(), "--rate", "10", "-n", "15", "-w", "0");
        Assert.Equal(0, run.Process.ExitCode);
        Assert.Equal((15L, 15L), (report.Requests.Sent, report.Requests.Ok));
        Assert.Equal("open", report.Run.Mode);
        var service = ScriptedHttpServer.ServiceTime.TotalMilliseconds;
        Assert.True(report.LatencyMs.P99 >= 4 * service, $"p99 {report.LatencyMs.P99} ms hides the queue behind a {service} ms server");
        Assert.True(report.LatencyMs.P50 >= 2 * service, $"p50 {report.LatencyMs.P50} ms hides the queue behind a {service} ms server");
        // Served one at a time: the run cannot be shorter than 15 services.
        Assert.True(report.Run.ElapsedSeconds >= 15 * service / 1000 * 0.95, $"elapsed {report.Run.ElapsedSeconds} s");
    }

    [Fact]
    public async Task Counts_add_up_when_the_target_fails_some_requests()
    {
        var (run, report) = await BenchTool.RunCheckedAsync("openai-embeddings", "--url", _server.Address.ToString(), "-c", "3", "-n", "30", "-w", "0");
        Assert.Equal(0, run.Process.ExitCode);
        Assert.Equal(30, report.Requests.Sent);
        Assert.Equal(_server.Served503, report.Requests.Errors["HTTP 503"]);
        Assert.Equal(10, report.Requests.Failed);
        Assert.Equal(20 * 7, report.Tokens.Total);
        Assert.Equal("input", report.Tokens.Kind);
    }

    [Fact]
    public async Task A_streamed_chat_reports_time_to_first_token_and_inter_token_latency()
    {
        var (run, report) = await BenchTool.RunCheckedAsync("openai-chat", "--stream", "--url", _server.Address.ToString(), "-c", "2", "-n", "8", "-w", "0",
            "--instance", "ml.g5.xlarge");
        Assert.Equal(8, report.Requests.Ok);
        Assert.Equal(8 * ScriptedHttpServer.StreamedTokens, report.Tokens.Total);
        Assert.Equal(8, report.TimeToFirstTokenMs!.Count);
        Assert.Equal(8 * (ScriptedHttpServer.StreamedTokens - 1), report.InterTokenLatencyMs!.Count);
        Assert.True(report.TimeToFirstTokenMs.P50 <= report.LatencyMs.P50);
        // The server waits 10 ms between chunks.
        Assert.True(report.InterTokenLatencyMs.P50 >= 9, $"inter-token p50 {report.InterTokenLatencyMs.P50} ms");
        var cost = Assert.Single(report.Cost);
        Assert.Equal("ml.g5.xlarge (A10G)", cost.Instance);
        Assert.NotNull(cost.PerMillionTokens);
        Assert.Contains("time to first token", run.Process.StandardOutput);
    }

    [Fact]
    public async Task Vertex_predictions_are_checked_one_per_instance()
    {
        var (run, report) = await BenchTool.RunCheckedAsync("vertex-embed", "--url", _server.Address.ToString(), "--batch", "3", "-n", "5", "-w", "0");
        Assert.Equal(5, report.Requests.Ok);

        var wrongRoute = await BenchTool.RunAsync("vertex-embed", "--url", _server.Address.ToString(), "--route", "/v1/predict", "-n", "3", "-w", "0");
        Assert.Equal(3, wrongRoute.RequireReport().Requests.Errors["HTTP 404"]);
        Assert.Equal(1, wrongRoute.Process.ExitCode);
        Assert.Contains("every request failed (HTTP 404: 3)", wrongRoute.Process.StandardError);
    }

    [Fact]
    public async Task Duration_mode_stops_on_time()
    {
        var (run, report) = await BenchTool.RunCheckedAsync("openai-embeddings", "--url", _server.Address.ToString(), "-c", "2", "-d", "2s", "-w", "0");
        Assert.InRange(report.Run.ElapsedSeconds, 1.9, 2.0 + LoadDriver.DrainGrace.TotalSeconds);
        Assert.True(report.Requests.Sent > 10, $"only {report.Requests.Sent} requests in 2 s");
    }
}
