using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.Repository;
using MlStack.Inference.V1;

namespace MlStack.Inference.IntegrationTests.Repository;

/// <summary>The bytes in flight across calls (ModelRepository:MaxBytesInFlight) are decided before a call's work starts.</summary>
[Collection(ServerCollection.Name)]
public sealed class RequestBudgetTests(InferenceServer server)
{
    private RequestMemoryBudget Budget => server.Services.GetRequiredService<RequestMemoryBudget>();

    private long Limit => server.Services.GetRequiredService<IOptions<ModelRepositoryOptions>>().Value.MaxBytesInFlight;

    [Fact]
    public async Task Calls_that_would_pass_the_bytes_in_flight_are_refused_at_once_and_served_once_they_fit()
    {
        RpcException infer, embed;
        // Other calls hold all but a few bytes: the next ModelInfer (32 bytes) and Embed do not fit.
        using (Budget.Reserve(Limit - 16))
        {
            infer = await Assert.ThrowsAsync<RpcException>(() =>
                server.Inference.ModelInferAsync(KServe.TensorModelTests.FloatRequest(1, [1, 2, 3, 4], [4, 3, 2, 1])).ResponseAsync);
            embed = await Assert.ThrowsAsync<RpcException>(() => server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { "no room" } }).ResponseAsync);
        }

        Assert.Equal((StatusCode.ResourceExhausted, StatusCode.ResourceExhausted), (infer.StatusCode, embed.StatusCode));
        Assert.Contains("in flight", infer.Status.Detail);
        Assert.Equal(0, Budget.InFlight);
        await server.AssertServingAsync();
        Assert.Equal(0, Budget.InFlight);
    }
}
