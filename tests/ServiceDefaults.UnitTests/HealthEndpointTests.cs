using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace MlStack.ServiceDefaults.UnitTests;

/// <summary>
/// /alive is what published liveness and startup probes ask: it must answer from the process alone, so that a check
/// a service adds (a model, a dependency) can take it out of readiness (/health) but never into a restart loop.
/// </summary>
public sealed class HealthEndpointTests
{
    private static async Task<WebApplication> StartAsync(HealthStatus serviceCheck)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("model", () => new HealthCheckResult(serviceCheck, "model check"));
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task A_failing_service_check_makes_the_service_unready_but_never_not_alive()
    {
        await using var app = await StartAsync(HealthStatus.Unhealthy);
        using var client = app.GetTestClient();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(ServiceDefaultsExtensions.HealthPath)).StatusCode);
        var alive = await client.GetAsync(ServiceDefaultsExtensions.AlivePath);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.DoesNotContain("model", await alive.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_every_check_healthy_both_endpoints_answer_200()
    {
        await using var app = await StartAsync(HealthStatus.Healthy);
        using var client = app.GetTestClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ServiceDefaultsExtensions.HealthPath)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(ServiceDefaultsExtensions.AlivePath)).StatusCode);
    }

    [Fact]
    public void The_defaults_tag_only_the_process_check_for_liveness()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddServiceDefaults();
        using var host = builder.Build();
        var registrations = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations;

        var self = Assert.Single(registrations);
        Assert.Equal(["live"], self.Tags);
    }
}
