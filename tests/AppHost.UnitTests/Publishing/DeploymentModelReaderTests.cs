using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging.Abstractions;
using MlStack.AppHost.Publishing;
using MlStack.AppHost.Publishing.Annotations;

namespace MlStack.AppHost.UnitTests.Publishing;

public sealed class DeploymentModelReaderTests
{
    [Fact]
    public async Task References_render_to_network_addresses_and_parameters_stay_references()
    {
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish"]);
        var key = builder.AddParameter("api-key", secret: true);
        var a = builder.AddContainer("a", "img/a", "1")
            .WithHttpEndpoint(targetPort: 7000, name: "http")
            .WithHttpsEndpoint(targetPort: 7443, name: "https")
            .WithHttpHealthCheck("/ready", endpointName: "https")
            .WithBindMount("/host/models", "/models");
        var endpoint = a.GetEndpoint("http");
        builder.AddContainer("b", "img/b")
            .WithHttpEndpoint(targetPort: 9000)
            .WithEnvironment("A_URL", endpoint)
            .WithEnvironment("A_HOSTPORT", ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.HostAndPort)}"))
            .WithEnvironment("A_TLS", a.GetEndpoint("https"))
            .WithEnvironment("KEY", key)
            .WithEnvironment("AUTH", ReferenceExpression.Create($"Bearer {key}"))
            .WaitFor(a);

        var model = await ReadAsync(builder);

        var parameter = Assert.Single(model.Parameters);
        Assert.Equal(new DeployedParameter("api-key", "API_KEY", Secret: true), parameter);

        var serviceA = model.Services.Single(s => s.Name == "a");
        Assert.Equal([new DeployedPort("http", 7000, IsHttp2: false, IsExternal: false)], serviceA.Ports);
        // The check ran on the https twin in the developer loop; in the network it runs on plain http.
        Assert.Equal(new DeployedHealthCheck(serviceA.Ports[0], "/ready"), serviceA.HealthCheck);
        Assert.Empty(serviceA.Volumes);
        Assert.Empty(serviceA.ConfigFiles);

        var serviceB = model.Services.Single(s => s.Name == "b");
        var env = serviceB.Environment.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("http://a:7000", env["A_URL"].LiteralText);
        Assert.Equal("a:7000", env["A_HOSTPORT"].LiteralText);
        Assert.False(env.ContainsKey("A_TLS"));
        Assert.Same(parameter, env["KEY"].SingleParameter);
        Assert.Equal(["Bearer ", parameter], env["AUTH"].Parts);
        Assert.Equal([new DeployedDependency("a", WaitType.WaitUntilHealthy)], serviceB.DependsOn);
        Assert.Equal(new DeployedImage("img/b", "latest", null), serviceB.Image);
    }

    [Fact]
    public async Task Config_files_are_rendered_with_network_addresses_and_bind_mounts_are_left_out()
    {
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish"]);
        var backend = builder.AddContainer("backend", "img/backend").WithHttpEndpoint(targetPort: 7000, name: "http");
        var backendEndpoint = backend.GetEndpoint("http");
        builder.AddContainer("proxy", "img/proxy", "2")
            .WithBindMount("/host/certs", "/certs")
            .WithConfigFile("proxy.conf", "/etc/proxy", async context => $"upstream {await context.HostAndPortAsync(backendEndpoint)};\n")
            .WithConfigFile("extra.conf", "/etc/proxy/conf.d", _ => Task.FromResult("# none\n"));

        var model = await ReadAsync(builder);

        var proxy = model.Services.Single(s => s.Name == "proxy");
        Assert.Equal(
            [new DeployedConfigFile("proxy.conf", "/etc/proxy", "upstream backend:7000;\n"), new DeployedConfigFile("extra.conf", "/etc/proxy/conf.d", "# none\n")],
            proxy.ConfigFiles);
        Assert.Empty(proxy.Volumes);
    }

    [Fact]
    public async Task A_config_file_name_is_used_once_in_the_model()
    {
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish"]);
        builder.AddContainer("a", "img/a").WithConfigFile("app.conf", "/etc/a", _ => Task.FromResult(""));
        builder.AddContainer("b", "img/b").WithConfigFile("app.conf", "/etc/b", _ => Task.FromResult(""));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ReadAsync(builder));

        Assert.Contains("'app.conf'", error.Message);
        Assert.Contains("a, b", error.Message);
    }

    [Fact]
    public async Task Image_conventions_and_rebuildable_data_come_from_the_resources_annotations()
    {
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish"]);
        builder.AddContainer("stated", "img/stated").WithImageConventions(4242, HealthProbeTool.BusyboxWget).WithRebuildableData();
        builder.AddContainer("unstated", "img/unstated");

        var model = await ReadAsync(builder);

        var stated = model.Services.Single(s => s.Name == "stated").Settings;
        Assert.Equal(new ImageConventionsAnnotation(4242, HealthProbeTool.BusyboxWget), stated.Conventions);
        Assert.True(stated.RebuildableData);
        var unstated = model.Services.Single(s => s.Name == "unstated").Settings;
        Assert.Equal(ImageConventionsAnnotation.Unstated, unstated.Conventions);
        Assert.False(unstated.RebuildableData);
    }

    private static Task<DeploymentModel> ReadAsync(IDistributedApplicationBuilder builder) =>
        new DeploymentModelReader(new DistributedApplicationModel(builder.Resources), builder.ExecutionContext, "/repo", NullLogger.Instance)
            .ReadAsync(CancellationToken.None);

    [Theory]
    [InlineData("vectors-api-key", "VECTORS_API_KEY")]
    [InlineData("a.b c", "A_B_C")]
    public void Parameter_names_become_environment_names(string name, string expected) =>
        Assert.Equal(expected, DeploymentModelReader.EnvironmentName(name));
}
