using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MlStack.Inference.IntegrationTests.Serving;

namespace MlStack.Inference.IntegrationTests.HttpDoors;

/// <summary>A server with a model that cannot load: the platforms' health routes say 503, and requests to it 503 with Retry-After.</summary>
public sealed class NotReadyTests(ServerWithBrokenModel server) : IClassFixture<ServerWithBrokenModel>
{
    [Theory]
    [InlineData("/ping")]
    [InlineData("/vertex/health")]
    public async Task Health_routes_are_503_until_every_model_is_loaded(string path)
    {
        using var response = await server.Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task A_model_that_failed_to_load_is_503_with_retry_after_and_the_reason()
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/embeddings", new JsonObject { ["model"] = InferenceServer.Broken, ["input"] = "Hi" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Contains(InferenceServer.Broken, (string?)error["message"]);
        Assert.Equal("service_unavailable_error", (string?)error["type"]);

        using var healthy = await server.Http.PostAsJsonAsync("/v1/embeddings", new JsonObject { ["input"] = "Hi" });
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }
}
