using System.Net;
using System.Net.Http.Headers;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Stack;

/// <summary>
/// The AppHost hands the generated inference-api-key to inference, and only that key opens it: a route asked for
/// without the key is 401, with it the routing answer comes through. (Vectors ingest and query through inference with
/// the same key in <see cref="VectorStoreRestartTests"/>; the dashboard's chat in Dashboard.Web.IntegrationTests.)
/// </summary>
[Collection(StackCollection.Name)]
public sealed class InferenceKeyTests(StackFixture fixture)
{
    [Fact]
    public async Task InferenceAsksForTheGeneratedKeyAndOpensWithIt()
    {
        var key = await fixture.Stack.ParameterAsync("inference-api-key");
        using var http = new HttpClient { BaseAddress = fixture.Stack.Endpoint("inference"), Timeout = TimeSpan.FromSeconds(10) };

        using var without = await http.GetAsync("/no-such-route");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no-such-route") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", key) } };
        using var with = await http.SendAsync(request);
        using var health = await http.GetAsync("/health");

        Assert.True(key.Length >= 32, "the generated key is too short");
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, with.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
