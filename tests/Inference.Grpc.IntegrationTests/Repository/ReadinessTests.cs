using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V1;
using MlStack.Inference.V2;

namespace MlStack.Inference.IntegrationTests.Repository;

[Collection(ServerCollection.Name)]
public sealed class ReadinessTests(InferenceServer server)
{
    [Fact]
    public async Task With_every_configured_model_loaded_all_three_probes_say_ready()
    {
        var health = await new Grpc.Health.V1.Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/health")).StatusCode);
    }

    /// <summary>
    /// Published liveness and startup probes ask /alive: a model check there would restart a pod whose model cannot
    /// load, forever. The model checks decide readiness (/health) only.
    /// </summary>
    [Fact]
    public void Only_the_process_check_decides_liveness_and_the_model_checks_decide_readiness()
    {
        var checks = server.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.ToList();

        Assert.Equal(["self"], checks.Where(c => c.Tags.Contains(ServiceDefaultsExtensions.LiveTag)).Select(c => c.Name));
        // One repository serves every task, so one check (every model, generators included) decides readiness.
        Assert.Equal([ModelRepositoryExtensions.ModelsReadyCheck, "self"], checks.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(ServiceDefaultsExtensions.LiveTag, Assert.Single(checks, c => c.Name == ModelRepositoryExtensions.ModelsReadyCheck).Tags);
    }
}

/// <summary>A configured model that cannot load: not ready anywhere, yet everything else serves.</summary>
public sealed class BrokenModelReadinessTests(ServerWithBrokenModel server) : IClassFixture<ServerWithBrokenModel>
{
    [Fact]
    public async Task Probes_say_not_ready_while_the_server_keeps_serving_the_other_models()
    {
        var health = await new Grpc.Health.V1.Health.HealthClient(server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, health.Status);
        Assert.False((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        var http = await server.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, http.StatusCode);
        Assert.Contains("broken", await http.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/alive")).StatusCode);

        Assert.False((await server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.Broken })).Ready);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.ModelInferAsync(new ModelInferRequest { ModelName = InferenceServer.Broken }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);

        var embedding = await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { "still serving" } });
        Assert.Equal(384, embedding.Dimensions);
    }
}
