using MlStack.LoadGenerator.IntegrationTests.Infrastructure;
using MlStack.LoadGenerator.Load;

namespace MlStack.LoadGenerator.IntegrationTests.Stack;

/// <summary>The tool against the running stack's own doors: gRPC inference and the vector store.</summary>
[Collection(BenchStackCollection.Name)]
public sealed class StackLoadTests(BenchStackFixture fixture)
{
    private string Inference => fixture.Stack.Endpoint("inference", "grpc").ToString();

    private string Vectors => fixture.Stack.Endpoint("vectors", "grpc").ToString();

    private string InferenceHttp => fixture.Stack.Endpoint("inference", "http").ToString();

    [Fact]
    public async Task Grpc_embed_counts_add_up_and_reports_the_tokens_read()
    {
        var (run, report) = await BenchTool.RunCheckedAsync("grpc-embed", "--url", Inference, "--api-key", fixture.InferenceApiKey, "-c", "4", "-n", "40", "-w", "0", "--batch", "2");
        Assert.Equal(0, run.Process.ExitCode);
        Assert.Equal((40L, 40L), (report.Requests.Sent, report.Requests.Ok));
        Assert.Equal("input", report.Tokens.Kind);
        // Two copies of a text of well over 10 tokens per request.
        Assert.True(report.Tokens.Total >= 40 * 2 * 10, $"{report.Tokens.Total} tokens");
        Assert.True(report.Throughput.RequestsPerSecond > 0);
        Assert.All(report.Cost, row => Assert.NotNull(row.PerThousandRequests));
    }

    [Fact]
    public async Task Grpc_generate_streams_report_time_to_first_token_and_stop_on_time()
    {
        var (run, report) = await BenchTool.RunCheckedAsync("grpc-generate", "--url", Inference, "--api-key", fixture.InferenceApiKey, "-c", "2", "-d", "3s", "-w", "1s", "--max-tokens", "16");
        Assert.Equal(0, run.Process.ExitCode);
        Assert.InRange(report.Run.ElapsedSeconds, 2.9, 3.0 + LoadDriver.DrainGrace.TotalSeconds);
        Assert.True(report.Requests.Ok > 0);
        Assert.Equal("generated", report.Tokens.Kind);
        Assert.True(report.Tokens.Total >= report.Requests.Ok, $"{report.Tokens.Total} tokens for {report.Requests.Ok} answers");
        Assert.True(report.TimeToFirstTokenMs!.Count >= report.Requests.Ok);
        Assert.True(report.TimeToFirstTokenMs.P50 <= report.LatencyMs.P50);
        Assert.NotNull(report.InterTokenLatencyMs);
        Assert.All(report.Cost, row => Assert.NotNull(row.PerMillionTokens));
    }

    [Fact]
    public async Task Grpc_chat_and_model_infer_answer_under_load()
    {
        var (chat, chatReport) = await BenchTool.RunCheckedAsync("grpc-chat", "--url", Inference, "--api-key", fixture.InferenceApiKey, "-m", "tiny-llama", "-r", "4", "-n", "6", "-w", "0", "--max-tokens", "8");
        Assert.Equal(6, chatReport.Requests.Ok);
        Assert.Equal("open", chatReport.Run.Mode);

        var (infer, inferReport) = await BenchTool.RunCheckedAsync("grpc-infer", "--url", Inference, "--api-key", fixture.InferenceApiKey, "-m", "all-MiniLM-L6-v2", "-n", "10", "-w", "0");
        Assert.Equal(10, inferReport.Requests.Ok);
    }

    [Fact]
    public async Task Vector_queries_count_successes_and_refusals_alike()
    {
        var (ok, report) = await BenchTool.RunCheckedAsync("vectors-query", "--url", Vectors, "--api-key", fixture.VectorsApiKey, "--collection", fixture.Collection,
            "-c", "2", "-n", "12", "-w", "0");
        Assert.Equal(0, ok.Process.ExitCode);
        Assert.Equal(12, report.Requests.Ok);

        var (refused, refusedReport) = await BenchTool.RunCheckedAsync("vectors-query", "--url", Vectors, "--api-key", "not-the-key", "--collection", fixture.Collection,
            "-n", "5", "-w", "0");
        Assert.Equal(5, refusedReport.Requests.Errors["gRPC Unauthenticated"]);
        Assert.Equal(1, refused.Process.ExitCode);
    }

    /// <summary>The HTTP doors ask for the inference API key like gRPC: --api-key sends it as Bearer.</summary>
    [Fact]
    public async Task Http_doors_answer_with_the_api_key_and_count_refusals_without_it()
    {
        var (ok, report) = await BenchTool.RunCheckedAsync("openai-embeddings", "--url", InferenceHttp, "--api-key", fixture.InferenceApiKey,
            "-c", "2", "-n", "6", "-w", "0");
        Assert.Equal(0, ok.Process.ExitCode);
        Assert.Equal(6, report.Requests.Ok);

        var (refused, refusedReport) = await BenchTool.RunCheckedAsync("sagemaker-embed", "--url", InferenceHttp, "-n", "4", "-w", "0");
        Assert.Equal(4, refusedReport.Requests.Errors["HTTP 401"]);
        Assert.Equal(1, refused.Process.ExitCode);
    }
}
