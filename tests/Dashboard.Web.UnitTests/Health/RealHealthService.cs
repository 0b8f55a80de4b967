using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace MlStack.Dashboard.UnitTests.Health;

/// <summary>
/// A real service on Kestrel (127.0.0.1, a free port) with MlStack's service defaults and one "chroma" readiness
/// check whose answer the test sets, so the probe reads exactly what a real MlStack service writes.
/// </summary>
public sealed class RealHealthService : IAsyncDisposable
{
    private readonly WebApplication app;

    private RealHealthService(WebApplication app, Uri address)
    {
        this.app = app;
        Address = address;
    }

    public Uri Address { get; }

    public HealthStatus ChromaStatus { get; set; } = HealthStatus.Healthy;

    public static async Task<RealHealthService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        RealHealthService? service = null;
        builder.Services.AddHealthChecks().AddCheck("chroma", () =>
            new HealthCheckResult(service!.ChromaStatus, $"heartbeat says {service.ChromaStatus}"));
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        service = new RealHealthService(app, new Uri(address));
        return service;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
