using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using MlStack.AppHost.Publishing;
using MlStack.AppHost.Publishing.Compose;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

[Collection(PublishedStackCollection.Name)]
public sealed class ComposeOutputTests(PublishedStack stack)
{
    // Built once: JsonSchema.Net registers a schema by its $id globally. The file names draft-07 by an https id
    // that differs from the canonical one only in scheme and '#'.
    private static readonly Lazy<JsonSchema> ComposeSchema = new(() => JsonSchema.FromText(
        File.ReadAllText(FindComposeSchema()).Replace("\"https://json-schema.org/draft-07/schema\"", "\"http://json-schema.org/draft-07/schema#\"")));

    private string ComposeFile => Path.Combine(stack.ComposeDirectory, "docker-compose.yaml");

    private JsonObject Compose => YamlToJson.Documents(File.ReadAllText(ComposeFile)).Single()!.AsObject();

    private JsonObject Services => Compose["services"]!.AsObject();

    [Fact]
    public void Compose_file_is_valid_against_the_compose_spec_schema()
    {
        var schema = ComposeSchema.Value;
        var instance = JsonDocument.Parse(Compose.ToJsonString()).RootElement;

        var result = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });

        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.True(result.IsValid, "Compose file violates the compose spec:\n" + string.Join("\n", errors));
    }

    [Fact]
    public void The_schema_check_rejects_a_field_compose_does_not_know()
    {
        // Proves the schema is really applied (a meta-schema mix-up would accept anything).
        var schema = ComposeSchema.Value;
        var broken = Compose.DeepClone().AsObject();
        broken["services"]!["chroma"]!["healthcheck"]!["start_after"] = "5s";
        Assert.False(schema.Evaluate(JsonDocument.Parse(broken.ToJsonString()).RootElement).IsValid);
    }

    /// <summary>The services of the model's resources, without the one-shot volume owners.</summary>
    private IEnumerable<KeyValuePair<string, JsonNode?>> ResourceServices => Services.Where(s => !s.Key.EndsWith("-volume-owner", StringComparison.Ordinal));

    [Fact]
    public void Every_resource_is_one_service_with_a_healthcheck_and_a_restart_policy()
    {
        Assert.Equal(["chroma", "dashboard", "inference", "prometheus", "vectors"], ResourceServices.Select(s => s.Key).Order());
        foreach (var (name, service) in ResourceServices)
        {
            Assert.Equal("unless-stopped", (string?)service!["restart"]);
            var test = service["healthcheck"]?["test"]?.AsArray().Select(t => (string?)t).ToList();
            Assert.True(test is { Count: > 1 } && test[0] == "CMD", $"{name} has no exec-form healthcheck");
            Assert.DoesNotContain("curl", string.Join(' ', test!));
            Assert.Null(service["healthcheck"]!["start_interval"]);
        }
        Assert.Contains("/api/v2/heartbeat", HealthTest("chroma"));
        Assert.Contains("/-/ready", HealthTest("prometheus"));
        Assert.Equal($"CMD {MlStackImages.InstalledHealthCheck} 8080 /health", HealthTest("inference"));
        Assert.Null(Compose["name"]);
    }

    [Fact]
    public void Projects_use_overridable_images_built_by_the_CUDA_or_the_shared_Dockerfile()
    {
        foreach (var (name, dockerfile, project) in new[]
        {
            ("inference", "Inference.Grpc/Dockerfile", null),
            ("vectors", MlStackImages.SharedDockerfile, "VectorStore.Proxy"),
            ("dashboard", MlStackImages.SharedDockerfile, "Dashboard.Web"),
        })
        {
            var service = Services[name]!;
            Assert.Equal($"${{{name.ToUpperInvariant()}_IMAGE:-mlstack/{name}:{PublishOptions.BuildVersion}}}", (string?)service["image"]);
            var build = service["build"]!;
            Assert.Equal(dockerfile, (string?)build["dockerfile"]);
            var context = Path.GetFullPath(Path.Combine(stack.ComposeDirectory, (string)build["context"]!));
            Assert.Equal(RepositoryPaths.Root.TrimEnd('/'), context.TrimEnd('/'));
            Assert.True(File.Exists(Path.Combine(context, dockerfile)), $"{dockerfile} is missing");
            Assert.Equal(project, (string?)build["args"]?[MlStackImages.ProjectArgument]);
            Assert.True(project is null || File.Exists(Path.Combine(context, project, project + ".csproj")), $"{project}/{project}.csproj is missing");
        }
    }

    [Fact]
    public void Only_the_dashboard_is_published_to_the_host()
    {
        foreach (var (name, service) in Services)
        {
            Assert.True((name == "dashboard") == (service!["ports"] is not null), $"{name}: ports = {service["ports"]?.ToJsonString()}");
        }
        Assert.Equal(["8000"], Services["chroma"]!["expose"]!.AsArray().Select(p => (string?)p));
    }

    [Fact]
    public void Dependencies_wait_for_healthy_services()
    {
        var vectors = Services["vectors"]!["depends_on"]!.AsObject();
        Assert.Equal(["chroma", "inference"], vectors.Select(d => d.Key).Order());
        var dashboard = Services["dashboard"]!["depends_on"]!.AsObject();
        Assert.Equal(["dashboard-volume-owner", "inference", "prometheus", "vectors"], dashboard.Select(d => d.Key).Order());
        // The one-shot volume owner runs to completion first; it has no health check (next tests).
        foreach (var dependency in vectors.Concat(dashboard).Where(d => !d.Key.EndsWith("-volume-owner")))
        {
            Assert.Equal("service_healthy", (string?)dependency.Value!["condition"]);
            Assert.NotNull(Services[dependency.Key]!["healthcheck"]);
        }
    }

    [Fact]
    public void Chroma_Prometheus_and_the_dashboard_keep_data_in_named_volumes_and_Prometheus_config_comes_from_the_model()
    {
        Assert.Contains("mlstack-chroma-data:/data", Services["chroma"]!["volumes"]!.AsArray().Select(v => (string?)v));
        Assert.Contains("mlstack-prometheus-data:/prometheus", Services["prometheus"]!["volumes"]!.AsArray().Select(v => (string?)v));
        Assert.Contains("mlstack-dashboard-data:/app/data", Services["dashboard"]!["volumes"]!.AsArray().Select(v => (string?)v));
        Assert.Equal(["mlstack-chroma-data", "mlstack-dashboard-data", "mlstack-prometheus-data"], Compose["volumes"]!.AsObject().Select(v => v.Key).Order());

        var config = File.ReadAllText(Path.Combine(stack.ComposeDirectory, "prometheus.yml"));
        foreach (var target in new[] { "inference", "vectors", "dashboard" })
        {
            // Scraped replica by replica: the name resolves to each replica's address on the compose network.
            Assert.Contains($"names: [\"{target}-replicas\"]", config);
            Assert.Equal([$"{target}-replicas"], Services[target]!["networks"]!["default"]!["aliases"]!.AsArray().Select(a => (string?)a));
        }
        Assert.Contains("port: 8080", config);
    }

    [Fact]
    public void Every_service_runs_as_its_images_user_on_a_read_only_root_without_capabilities()
    {
        var kubernetes = new KubernetesManifests(stack.KubernetesDirectory);
        foreach (var (name, service) in ResourceServices)
        {
            var pod = kubernetes.Workload(name);
            var user = pod.Pod.SecurityContext.RunAsUser;
            Assert.Equal($"{user}:{user}", (string?)service!["user"]);
            Assert.True((bool)service["read_only"]!);
            Assert.Equal(["ALL"], service["cap_drop"]!.AsArray().Select(c => (string?)c));
            Assert.Null(service["cap_add"]);
            Assert.Contains("no-new-privileges:true", service["security_opt"]!.AsArray().Select(o => (string?)o));

            // The same scratch directories as the pod's emptyDirs, as size-bounded tmpfs mounts.
            var emptyDirs = (pod.Pod.Volumes ?? []).Where(v => v.EmptyDir is not null).Select(v => pod.Container.VolumeMounts.Single(m => m.Name == v.Name).MountPath);
            var tmpfs = (service["tmpfs"]?.AsArray() ?? []).Select(t => (string)t!).ToList();
            Assert.Equal(emptyDirs.Order(), tmpfs.Select(t => t.Split(':')[0]).Order());
            Assert.All(tmpfs, t => Assert.Matches(@"^/[^:]+:size=[1-9][0-9]*m$", t));
        }
        Assert.Equal(["/app/models/all-MiniLM-L6-v2:size=256m", "/tmp:size=256m"], Services["inference"]!["tmpfs"]!.AsArray().Select(t => (string?)t));
    }

    [Fact]
    public void Volumes_are_handed_to_the_services_user_by_a_one_shot_service_before_it_starts()
    {
        foreach (var (name, service) in ResourceServices.Where(s => s.Value!["volumes"]?.AsArray().Any(v => !((string)v!).StartsWith("./")) == true))
        {
            var volumes = service!["volumes"]!.AsArray().Select(v => (string)v!).Where(v => !v.StartsWith("./")).ToList();
            var ownerName = ComposePublisher.VolumeOwnerService(name);
            Assert.Equal("service_completed_successfully", (string?)service["depends_on"]![ownerName]!["condition"]);

            var owner = Services[ownerName]!;
            Assert.Equal(ComposePublisher.VolumeOwnerImage, (string?)owner["image"]);
            Assert.Equal(["chown", "-R", (string)service["user"]!, .. volumes.Select(v => v.Split(':')[1])], owner["entrypoint"]!.AsArray().Select(e => (string?)e));
            Assert.Equal(volumes, owner["volumes"]!.AsArray().Select(v => (string?)v));
            // Root only to chown: no other capability, no network, nothing else writable.
            Assert.Equal(["ALL"], owner["cap_drop"]!.AsArray().Select(c => (string?)c));
            Assert.Equal(["CHOWN", "DAC_READ_SEARCH"], owner["cap_add"]!.AsArray().Select(c => (string?)c));
            Assert.Equal("none", (string?)owner["network_mode"]);
            Assert.Equal("no", (string?)owner["restart"]);
            Assert.True((bool)owner["read_only"]!);
        }
        Assert.Equal(["chroma-volume-owner", "dashboard-volume-owner", "prometheus-volume-owner"], Services.Select(s => s.Key).Where(k => k.EndsWith("-volume-owner")).Order());
    }

    [Fact]
    public void Inference_reserves_a_gpu_and_its_resources()
    {
        var resources = Services["inference"]!["deploy"]!["resources"]!;
        var device = resources["reservations"]!["devices"]!.AsArray().Single()!;
        Assert.Equal("nvidia", (string?)device["driver"]);
        Assert.Equal(1L, (long)device["count"]!);
        Assert.Equal(["gpu"], device["capabilities"]!.AsArray().Select(c => (string?)c));
        Assert.Equal("2", (string?)resources["limits"]!["cpus"]);
        Assert.Equal("4096M", (string?)resources["limits"]!["memory"]);
        Assert.Null(Services["vectors"]!["deploy"]);
    }

    [Fact]
    public void References_are_rendered_to_compose_network_addresses()
    {
        var vectors = Services["vectors"]!["environment"]!;
        Assert.Equal("http://inference:8081", (string?)vectors["services__inference__Grpc__0"]);
        Assert.Equal("http://chroma:8000", (string?)vectors["services__chroma__http__0"]);
        Assert.Equal("http://*:8081", (string?)Services["inference"]!["environment"]!["Kestrel__Endpoints__Grpc__Url"]);
        Assert.DoesNotContain(Services.SelectMany(s => s.Value!["environment"]?.AsObject() ?? []), e => ((string?)e.Value ?? "").Contains("localhost"));
    }

    [Fact]
    public void Every_service_holding_the_vectors_key_reads_it_by_one_name()
    {
        var holders = Services.Where(s => (s.Value!["environment"]?.AsObject() ?? [])
            .Any(e => ((string?)e.Value ?? "").Contains("${VECTORS_API_KEY:?"))).ToList();

        Assert.Equal(["dashboard", "vectors"], holders.Select(s => s.Key).Order());
        Assert.All(holders, s => Assert.StartsWith("${VECTORS_API_KEY:?", (string?)s.Value!["environment"]!["Vectors__ApiKey"]));
    }

    [Fact]
    public void Every_service_holding_the_inference_key_reads_it_by_one_name_and_no_admin_key_is_published()
    {
        var holders = Services.Where(s => (s.Value!["environment"]?.AsObject() ?? [])
            .Any(e => ((string?)e.Value ?? "").Contains("${INFERENCE_API_KEY:?"))).ToList();

        Assert.Equal(["dashboard", "inference", "vectors"], holders.Select(s => s.Key).Order());
        Assert.All(holders, s => Assert.StartsWith("${INFERENCE_API_KEY:?", (string?)s.Value!["environment"]!["Inference__ApiKey"]));
        // Repository control is switched off in published output: no service gets an admin key.
        Assert.DoesNotContain(Services.SelectMany(s => s.Value!["environment"]?.AsObject() ?? []), e => e.Key == "Inference__AdminKey");
    }

    [Fact]
    public void The_vector_proxy_gets_only_the_service_discovery_form_of_its_references()
    {
        var names = Services["vectors"]!["environment"]!.AsObject().Select(e => e.Key).ToList();

        Assert.Contains("services__inference__Grpc__0", names);
        Assert.Contains("services__chroma__http__0", names);
        Assert.DoesNotContain("INFERENCE_GRPC", names);
        Assert.DoesNotContain("CHROMA_HTTP", names);
    }

    /// <summary>The Compose Specification's schema, vendored beside these tests (see Schemas/README.md).</summary>
    private static string FindComposeSchema() => Path.Combine(AppContext.BaseDirectory, "Publishing", "Schemas", "compose-spec.json");

    private string HealthTest(string service) => string.Join(' ', Services[service]!["healthcheck"]!["test"]!.AsArray().Select(t => (string?)t));
}
