using Grpc.Core;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;
using MlStack.Inference.V2;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Repository;

public sealed class TrafficSplitTests(TrafficSplitHost host) : IClassFixture<TrafficSplitHost>
{
    [Fact]
    public async Task Pinned_requests_get_their_version_and_unpinned_ones_follow_the_weights()
    {
        await SetWeightsAsync("""{ "1": 100, "2": 0 }""");

        Assert.All(await VersionsAsync(10), v => Assert.Equal("1", v));
        Assert.All(await VersionsAsync(5, version: "2"), v => Assert.Equal("2", v));
        Assert.All(await VersionsAsync(5, version: "1"), v => Assert.Equal("1", v));
        var error = await Assert.ThrowsAsync<RpcException>(() => VersionsAsync(1, version: "3"));
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("Version '3' of model 'tiny-ab' is not available (serving: 1,2).", error.Status.Detail);
    }

    [Fact]
    public async Task Weights_change_at_run_time_through_a_config_override_without_reloading_the_versions()
    {
        await SetWeightsAsync("""{ "1": 100, "2": 0 }""");
        var loaded = host.Catalog.Loaded();

        await SetWeightsAsync("""{ "2": 100 }""");

        Assert.All(await VersionsAsync(10), v => Assert.Equal("2", v));
        var metadata = await host.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = TrafficSplitHost.Model });
        Assert.Equal("2=100", metadata.Parameters["version_weights"].StringParam);
        Assert.Equal(loaded, host.Catalog.Loaded()); // the same loaded versions: only the split changed

        // Half and half: a conversation stays on one version.
        await SetWeightsAsync("""{ "1": 50, "2": 50 }""");
        Assert.Single((await VersionsAsync(8, conversation: "conversation-42")).Distinct());

        // A bad override changes nothing.
        var notServed = await Assert.ThrowsAsync<RpcException>(() => SetWeightsAsync("""{ "3": 100 }"""));
        Assert.Equal(StatusCode.Unavailable, notServed.StatusCode);
        Assert.Contains("version_weights gives weight to version 3, which is not served", notServed.Status.Detail);
        var negative = await Assert.ThrowsAsync<RpcException>(() => SetWeightsAsync("""{ "2": -1 }"""));
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.Equal("Model 'tiny-ab' was not changed: version_weights gives version 2 the weight -1; weights are finite numbers >= 0.", negative.Status.Detail);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => host.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest
        {
            ModelName = TrafficSplitHost.Model,
            Parameters = { ["weights"] = new ModelRepositoryParameter { StringParam = "{}" } },
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        metadata = await host.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = TrafficSplitHost.Model });
        Assert.Equal("1=50,2=50", metadata.Parameters["version_weights"].StringParam);

        // A load without an override goes back to model.json.
        await host.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = TrafficSplitHost.Model });
        Assert.All(await VersionsAsync(5), v => Assert.Equal("1", v));
    }

    [Fact]
    public async Task Every_request_metric_carries_the_version_label()
    {
        await SetWeightsAsync("""{ "1": 100, "2": 0 }""");
        await VersionsAsync(1, version: "1");
        await VersionsAsync(1, version: "2");

        var text = await host.Http.GetStringAsync("/metrics");

        foreach (var version in new[] { "1", "2" })
        {
            foreach (var metric in new[]
            {
                "mlstack_generation_time_to_first_token_seconds_bucket", "mlstack_generation_e2e_request_latency_seconds_bucket",
                "mlstack_generation_request_queue_time_seconds_bucket", "mlstack_generation_request_success_total",
                "mlstack_generation_generation_tokens_total", "mlstack_generation_batch_size_bucket",
            })
            {
                Assert.True(text.Split('\n').Any(line => line.StartsWith(metric + "{", StringComparison.Ordinal)
                    && line.Contains($"model=\"{TrafficSplitHost.Model}\"") && line.Contains($"version=\"{version}\"")), $"{metric} for version {version}");
            }
        }
        await Promtool.AssertMetricsAcceptedAsync(text, "the generation metrics with versions");
    }

    private async Task SetWeightsAsync(string weights) =>
        await host.Admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest
        {
            ModelName = TrafficSplitHost.Model,
            Parameters = { ["config"] = new ModelRepositoryParameter { StringParam = TrafficSplitHost.Config(weights) } },
        });

    /// <summary>The versions that answered <paramref name="count"/> two-token generations (a prefill and a decoder step each).</summary>
    private async Task<List<string>> VersionsAsync(int count, string version = "", string conversation = "")
    {
        var versions = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var (_, _, summary) = await host.TextGeneration.Generate(new GenerateRequest
            {
                Model = TrafficSplitHost.Model,
                ModelVersion = version,
                ConversationKey = conversation,
                Prompt = "The cat",
                Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 2 },
            }).CollectAsync();
            versions.Add(summary.ModelVersion);
        }
        return versions;
    }
}

/// <summary>A generator with two versions (both tiny-gpt's weights); version 2 takes no unpinned traffic at start.</summary>
public sealed class TrafficSplitHost : TemporaryRepositoryHost
{
    public const string Model = "tiny-ab";

    public static string Config(string weights) =>
        $$"""{ "task": "text-generation", "version_policy": { "all": {} }, "version_weights": {{weights}} }""";

    protected override void Compose(string repository) => AddTinyGpt(repository, Model, Config("""{ "1": 100, "2": 0 }"""), 1, 2);
}
