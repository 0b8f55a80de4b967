using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging.Abstractions;
using MlStack.AppHost.Publishing;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.Testing;

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

    private static Task<DeploymentModel> ReadAsync(IDistributedApplicationBuilder builder, string repositoryRoot = "/repo") =>
        new DeploymentModelReader(new DistributedApplicationModel(builder.Resources), builder.ExecutionContext, repositoryRoot, "1.2.3", NullLogger.Instance)
            .ReadAsync(CancellationToken.None);

    [Fact]
    public async Task Every_address_a_service_is_given_is_a_connection_and_its_own_endpoints_are_not()
    {
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish"]);
        var store = builder.AddContainer("store", "img/store").WithHttpEndpoint(targetPort: 7000, name: "http").WithHttpEndpoint(targetPort: 7001, name: "admin");
        var api = builder.AddContainer("api", "img/api").WithHttpEndpoint(targetPort: 8000, name: "http");
        api.WithEnvironment("STORE", store.GetEndpoint("http"))
            .WithEnvironment("LISTEN", ReferenceExpression.Create($"http://*:{api.GetEndpoint("http").Property(EndpointProperty.TargetPort)}"));
        var scraper = builder.AddContainer("scraper", "img/scraper")
            .WithArgs(context => context.Args.Add(ReferenceExpression.Create($"--admin={store.GetEndpoint("admin").Property(EndpointProperty.HostAndPort)}")))
            .WithConfigFile("targets.txt", "/etc/scraper", async context => (await context.EveryReplicaAsync(api.GetEndpoint("http"))).HostAndPort + "\n");

        var model = await ReadAsync(builder);

        var services = model.Services.ToDictionary(s => s.Name);
        Assert.Equal([new DeployedConnection("store", services["store"].Ports[0])], services["api"].Connections);
        Assert.Equal([("api", "http"), ("store", "admin")], services["scraper"].Connections.Select(c => (c.Service, c.Port.Name)).Order());
        Assert.Empty(services["store"].Connections);
        // Only the service's own port: where it listens, not something it reaches.
        Assert.True(services["api"].Environment.Single(e => e.Name == "LISTEN").BindsOwnEndpoint);
        Assert.False(services["api"].Environment.Single(e => e.Name == "STORE").BindsOwnEndpoint);

        // Asking for every replica names a DNS name the publishers make resolve to each one.
        Assert.Equal("api-replicas:8000\n", services["scraper"].ConfigFiles.Single().Content);
        Assert.Equal("api-replicas", services["api"].EveryReplicaHost);
        Assert.Null(services["store"].EveryReplicaHost);
    }

    [Fact]
    public async Task Projects_get_the_build_tag_and_conventions_that_containers_state_themselves()
    {
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish"]);
        var project = builder.AddProject("web", Path.Combine(RepositoryPaths.Root, "Dashboard.Web", "Dashboard.Web.csproj"))
            .WithHttpHealthCheck("/health")
            .WithScratchDirectory("/var/cache/web", 32)
            .PublishAsModelEndpoint();
        builder.AddContainer("stated", "img/stated", "2.0")
            .WithHttpEndpoint(targetPort: 9000, name: "http")
            .WithHttpHealthCheck("/ready")
            .WithHttpLivenessCheck("/healthz")
            .WithImageConventions(4242, HealthProbeTool.BusyboxWget);
        builder.AddContainer("unstated", "img/unstated").WithHttpEndpoint(targetPort: 9100, name: "http").WithHttpHealthCheck("/ready");

        var model = await ReadAsync(builder, RepositoryPaths.Root);

        var services = model.Services.ToDictionary(s => s.Name);
        var web = services["web"];
        Assert.Equal(("mlstack/web", "1.2.3", MlStackImages.SharedDockerfile), (web.Image.Repository, web.Image.Tag, web.Image.Dockerfile));
        Assert.Equal("/alive", web.LivenessCheck!.Path);
        Assert.Equal(web.HealthCheck!.Port, web.LivenessCheck.Port);
        Assert.Equal(["/tmp", "/var/cache/web"], web.Settings.ScratchDirectories.Select(d => d.Path));
        Assert.Equal(web.Ports.Single(p => p.Name == "http"), web.ModelEndpoint);

        var stated = services["stated"];
        Assert.Equal("2.0", stated.Image.Tag);
        Assert.Equal(new DeployedHealthCheck(stated.Ports[0], "/healthz"), stated.LivenessCheck);
        Assert.Empty(stated.Settings.ScratchDirectories);
        Assert.Null(stated.ModelEndpoint);

        // An image nobody described: a writable /tmp, and never restarted on a check it may not have.
        var unstated = services["unstated"];
        Assert.Null(unstated.LivenessCheck);
        Assert.Equal([ImageConventionsAnnotation.TemporaryDirectory], unstated.Settings.ScratchDirectories);
    }

    [Theory]
    [InlineData("vectors-api-key", "VECTORS_API_KEY")]
    [InlineData("a.b c", "A_B_C")]
    public void Parameter_names_become_environment_names(string name, string expected) =>
        Assert.Equal(expected, DeploymentModelReader.EnvironmentName(name));
}
