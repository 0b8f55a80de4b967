using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Chat;
using MlStack.Inference.V1;

namespace MlStack.Dashboard.UnitTests.Chat;

public sealed class InferenceChatClientTests
{
    [Fact]
    public async Task Streams_text_updates_then_the_summary_with_usage_finish_reason_and_server_figures()
    {
        var wire = new ScriptedGeneration();
        var client = new InferenceChatClient(wire.Client);
        await wire.SendAsync("Hello");
        await wire.SendAsync(", world");
        await wire.FinishAsync(new GenerationSummary
        {
            FinishReason = FinishReason.Length, Usage = new Usage { PromptTokens = 7, CompletionTokens = 2, CachedPromptTokens = 4 }, Model = "tiny-gpt",
            ModelVersion = "1", TimeToFirstTokenMs = 3.5, TokensPerSecond = 420,
        });
        wire.End();

        var options = new ChatOptions
        {
            ModelId = "tiny-gpt", Temperature = 0.5f, MaxOutputTokens = 2, Seed = 42, StopSequences = ["###"],
            AdditionalProperties = new() { [InferenceChatClient.IgnoreEosProperty] = true },
        };
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi")], options))
        {
            updates.Add(update);
        }

        Assert.Equal(["Hello", ", world"], updates.Where(u => u.Text.Length > 0).Select(u => u.Text));
        var last = updates[^1];
        Assert.Equal(ChatFinishReason.Length, last.FinishReason);
        Assert.Equal("tiny-gpt", last.ModelId);
        var usage = Assert.Single(last.Contents.OfType<UsageContent>()).Details;
        Assert.Equal(2, usage.OutputTokenCount);
        Assert.Equal(4, usage.CachedInputTokenCount);
        Assert.Equal(3.5, last.AdditionalProperties![GenerationStats.TimeToFirstTokenKey]);

        var request = wire.Request!;
        Assert.Equal("tiny-gpt", request.Model);
        Assert.Equal([("system", "Be brief."), ("user", "Hi")], request.Messages.Select(m => (m.Role, m.Content)));
        Assert.Equal(0.5f, request.Parameters.Temperature);
        Assert.Equal(2, request.Parameters.MaxNewTokens);
        Assert.Equal(42UL, request.Parameters.Seed);
        Assert.Equal(["###"], request.Parameters.Stop);
        Assert.True(request.Parameters.IgnoreEos);

        var collector = new GenerationStatsCollector();
        updates.ForEach(collector.Observe);
        var stats = collector.Result();
        Assert.Equal(new GenerationStats(3.5, 420, 2, "length", "tiny-gpt", "1", MeasuredByServer: true, CachedPromptTokens: 4), stats);
    }

    [Fact]
    public async Task Cancelling_the_token_cancels_the_call()
    {
        var wire = new ScriptedGeneration();
        var client = new InferenceChatClient(wire.Client);
        await wire.SendAsync("Once");
        using var stop = new CancellationTokenSource();

        var texts = new List<string>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Tell a long story")], cancellationToken: stop.Token))
            {
                texts.Add(update.Text);
                stop.Cancel();
            }
        });
        Assert.Equal(["Once"], texts);
        Assert.True(wire.CallCancellation.IsCancellationRequested, "the gRPC call itself was not cancelled");
    }
}
