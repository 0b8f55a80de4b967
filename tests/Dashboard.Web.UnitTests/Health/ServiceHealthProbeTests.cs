using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlStack.Dashboard.Health;

namespace MlStack.Dashboard.UnitTests.Health;

/// <summary>The overview probe and page against real HTTP services: one healthy, one refusing connections.</summary>
public sealed class ServiceHealthProbeTests : IAsyncLifetime
{
    private RealHealthService service = null!;

    public async Task InitializeAsync() => service = await RealHealthService.StartAsync();

    public async Task DisposeAsync() => await service.DisposeAsync();

    [Fact]
    public async Task EachRowReadsItsSource()
    {
        await using var dashboard = CreateDashboard();

        var rows = await ProbeAsync(dashboard);

        Assert.Equal(["api", "chroma", "gone", "dashboard"], rows.Select(r => r.Name));
        Assert.Equal(ServiceHealthStatus.Healthy, rows[0].Status);
        Assert.Equal("self: Healthy, chroma: Healthy", rows[0].Detail);
        Assert.Equal(ServiceHealthStatus.Healthy, rows[1].Status);
        Assert.Equal("heartbeat says Healthy", rows[1].Detail);
        Assert.Equal($"{new Uri(service.Address, "/health")} (check 'chroma')", rows[1].Source);
        Assert.Equal(ServiceHealthStatus.Unreachable, rows[2].Status);
        Assert.Equal(ServiceHealthStatus.Healthy, rows[3].Status);
        Assert.Equal("this dashboard", rows[3].Source);
    }

    [Fact]
    public async Task AFailingCheckShowsOnItsOwnRowAndOnTheServiceThatReportsIt()
    {
        service.ChromaStatus = HealthStatus.Unhealthy;
        await using var dashboard = CreateDashboard();

        var rows = await ProbeAsync(dashboard);

        Assert.Equal(ServiceHealthStatus.Unhealthy, rows.Single(r => r.Name == "api").Status);
        var chroma = rows.Single(r => r.Name == "chroma");
        Assert.Equal(ServiceHealthStatus.Unhealthy, chroma.Status);
        Assert.Equal("heartbeat says Unhealthy", chroma.Detail);
    }

    [Fact]
    public async Task AMissingCheckIsUnhealthyAndSaysWhich()
    {
        await using var dashboard = CreateDashboard(checkName: "postgres");

        var row = (await ProbeAsync(dashboard)).Single(r => r.Name == "chroma");

        Assert.Equal(ServiceHealthStatus.Unhealthy, row.Status);
        Assert.StartsWith("the report has no check 'postgres'", row.Detail);
    }

    [Fact]
    public async Task ThePageListsEveryServiceWithItsStatus()
    {
        service.ChromaStatus = HealthStatus.Degraded;
        await using var dashboard = CreateDashboard();
        using var client = dashboard.CreateClient();

        using var response = await client.GetAsync("/services");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = Regex.Matches(html, "data-service=\"([^\"]+)\" data-status=\"([^\"]+)\"")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(
            new Dictionary<string, string> { ["api"] = "Degraded", ["chroma"] = "Degraded", ["gone"] = "Unreachable", ["dashboard"] = "Healthy" },
            rows);
        Assert.Contains("<title>MlStack · Services</title>", html);
    }

    [Fact]
    public async Task TheDashboardRefusesToStartWithoutServices()
    {
        await using var dashboard = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("Dashboard:RequireSignIn", "false")
            .UseSetting("Vectors:ApiKey", "unit-test-vectors-key")
            .UseSetting("Inference:ApiKey", "unit-test-inference-key")
            .ConfigureTestServices(services => services.Configure<MonitoredServiceOptions>(o => o.Services = [])));

        var error = Assert.ThrowsAny<Exception>(() => dashboard.CreateClient());

        Assert.Contains("Services", error.ToString());
    }

    private WebApplicationFactory<Program> CreateDashboard(string checkName = "chroma") =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("Dashboard:RequireSignIn", "false")
            .UseSetting("Vectors:ApiKey", "unit-test-vectors-key")
            .UseSetting("Inference:ApiKey", "unit-test-inference-key")
            .UseSetting("Dashboard:DataDirectory", Path.Combine(Path.GetTempPath(), "mlstack-dashboard-unit-data"))
            .ConfigureTestServices(services => services.Configure<MonitoredServiceOptions>(options => options.Services =
            [
                new() { Name = "api", BaseAddress = service.Address },
                new() { Name = "chroma", BaseAddress = service.Address, Check = checkName },
                new() { Name = "gone", BaseAddress = new Uri($"http://127.0.0.1:{ClosedPort.Next()}") },
                new() { Name = "dashboard" },
            ])));

    private static async Task<ServiceHealth[]> ProbeAsync(WebApplicationFactory<Program> dashboard)
    {
        using var scope = dashboard.Services.CreateScope();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await scope.ServiceProvider.GetRequiredService<ServiceHealthProbe>().ProbeAllAsync(timeout.Token);
    }

}
