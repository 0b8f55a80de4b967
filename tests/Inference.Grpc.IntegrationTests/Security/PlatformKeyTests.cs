using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Security;

/// <summary>
/// Behind SageMaker or Vertex AI the platform authenticates callers and passes no key of ours. A service started
/// without an API key is never silently open: it stops at start unless Inference:RequireApiKey=false says so (the
/// published descriptors do; the contract tests run that way).
/// </summary>
public sealed class PlatformKeyTests
{
    [Fact]
    public async Task A_service_without_an_api_key_stops_at_start_unless_told_the_platform_authenticates()
    {
        await using var process = new InferenceProcess(new Dictionary<string, string>(InferenceProcess.EmbeddingOnly) { ["Inference:ApiKey"] = "" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => process.StartAsync(TimeSpan.FromSeconds(90)));

        Assert.Contains("process exited", error.Message);
        Assert.Contains("Inference:ApiKey is required", error.Message);
        Assert.Contains("Inference:RequireApiKey=false", error.Message);
    }
}
