using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using MlStack.AppHost.Publishing;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Publishing.ModelEndpoints;
using MlStack.AppHost.Publishing.SageMaker;
using MlStack.AppHost.Publishing.Vertex;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// out/sagemaker and out/vertex against the AppHost model: the same image at the build's tag, sized and scaled from
/// WithGpu/WithAutoscaling, the platform's own port and routes left to the platform, every placeholder explained
/// in the README, and every file the README's commands name actually written.
/// </summary>
[Collection(PublishedStackCollection.Name)]
public sealed partial class ModelEndpointOutputTests(PublishedStack stack)
{
    private ProjectResource Inference => stack.Model.Resources.OfType<ProjectResource>().Single(r => r.Name == "inference");

    private int Gpus => Inference.Annotations.OfType<GpuAnnotation>().Single().Count;

    private AutoscalingAnnotation Autoscaling => Inference.Annotations.OfType<AutoscalingAnnotation>().Single();

    private JsonNode SageMaker(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(stack.SageMakerDirectory, $"inference.{name}.json")))!;

    private JsonNode Vertex(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(stack.VertexDirectory, $"inference.{name}.json")))!;

    [Fact]
    public void Only_the_resource_published_as_a_model_endpoint_gets_descriptors()
    {
        Assert.Equal(["inference"], stack.Model.Resources.Where(r => r.Annotations.OfType<ModelEndpointAnnotation>().Any()).Select(r => r.Name));
        Assert.Equal(
            ["README.md", "inference.create-endpoint-config.json", "inference.create-endpoint.json", "inference.create-model.json",
             "inference.put-scaling-policy.concurrency.json", "inference.put-scaling-policy.invocations.json", "inference.register-scalable-target.json"],
            Directory.GetFiles(stack.SageMakerDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(
            ["README.md", "inference.create-endpoint.json", "inference.deploy-model.json", "inference.upload-model.json"],
            Directory.GetFiles(stack.VertexDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// SageMaker and Vertex AI authenticate callers (IAM) and pass no key of ours: the endpoints carry no inference key
    /// and say explicitly that none is required (the service refuses to start otherwise), while compose and Kubernetes
    /// keep the key.
    /// </summary>
    [Fact]
    public void Model_endpoints_carry_no_inference_key_and_say_the_platform_authenticates()
    {
        var sageMaker = SageMaker("create-model")["PrimaryContainer"]!["Environment"]!.AsObject();
        Assert.False(sageMaker.ContainsKey("Inference__ApiKey"), sageMaker.ToJsonString());
        Assert.Equal("false", (string?)sageMaker["Inference__RequireApiKey"]);

        var vertex = Vertex("upload-model")["model"]!["containerSpec"]!["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        Assert.False(vertex.ContainsKey("Inference__ApiKey"));
        Assert.Equal("false", vertex["Inference__RequireApiKey"]);

        var kubernetes = File.ReadAllText(Path.Combine(stack.KubernetesDirectory, "inference.yaml"));
        Assert.Contains("Inference__ApiKey", kubernetes);
        Assert.DoesNotContain("Inference__RequireApiKey", kubernetes);
    }

    [Fact]
    public void SageMaker_runs_the_versioned_image_from_ECR_on_an_instance_with_the_models_GPUs()
    {
        var model = SageMaker("create-model");
        var tag = PublishOptions.BuildVersion;
        Assert.Equal($"{SageMakerPublisher.Registry}/mlstack/inference:{tag}", (string?)model["PrimaryContainer"]!["Image"]);
        Assert.DoesNotContain("latest", (string?)model["PrimaryContainer"]!["Image"]);

        var config = SageMaker("create-endpoint-config");
        var variant = config["ProductionVariants"]!.AsArray().Single()!;
        Assert.Equal(SageMakerPublisher.DefaultInstanceType(Gpus), (string?)variant["InstanceType"]);
        Assert.StartsWith("ml.g", (string?)variant["InstanceType"]);
        Assert.Equal(Autoscaling.Min, (int)variant["InitialInstanceCount"]!);
        Assert.Equal((string?)model["ModelName"], (string?)variant["ModelName"]);
        Assert.Equal((string?)config["EndpointConfigName"], (string?)SageMaker("create-endpoint")["EndpointConfigName"]);
        Assert.True((int)variant["ContainerStartupHealthCheckTimeoutInSeconds"]! >= 60, "models load before /ping answers");
    }

    [Fact]
    public void SageMaker_scales_between_the_models_bounds_on_invocations_and_on_the_serving_signal()
    {
        var target = SageMaker("register-scalable-target");
        Assert.Equal(Autoscaling.Min, (int)target["MinCapacity"]!);
        Assert.Equal(Autoscaling.Max, (int)target["MaxCapacity"]!);
        Assert.Equal("sagemaker:variant:DesiredInstanceCount", (string?)target["ScalableDimension"]);

        var invocations = SageMaker("put-scaling-policy.invocations");
        var concurrency = SageMaker("put-scaling-policy.concurrency");
        foreach (var policy in new[] { invocations, concurrency })
        {
            Assert.Equal("TargetTrackingScaling", (string?)policy["PolicyType"]);
            Assert.Equal((string?)target["ResourceId"], (string?)policy["ResourceId"]);
        }
        Assert.Equal("SageMakerVariantInvocationsPerInstance",
            (string?)invocations["TargetTrackingScalingPolicyConfiguration"]!["PredefinedMetricSpecification"]!["PredefinedMetricType"]);
        var waiting = Assert.IsType<WaitingRequestsMetric>(Autoscaling.Metric);
        var configuration = concurrency["TargetTrackingScalingPolicyConfiguration"]!;
        Assert.Equal("SageMakerVariantConcurrentRequestsPerModelHighResolution",
            (string?)configuration["PredefinedMetricSpecification"]!["PredefinedMetricType"]);
        Assert.Equal(waiting.TargetPerReplica, (double)configuration["TargetValue"]!);
    }

    [Fact]
    public void Vertex_runs_the_versioned_image_with_the_models_accelerators_and_replica_bounds()
    {
        var container = Vertex("upload-model")["model"]!["containerSpec"]!;
        Assert.Equal($"{VertexPublisher.Registry}/mlstack/inference:{PublishOptions.BuildVersion}", (string?)container["imageUri"]);
        Assert.Equal([ModelEndpointContract.HttpPort], container["ports"]!.AsArray().Select(p => (int)p!["containerPort"]!));
        Assert.Equal(ModelEndpointContract.VertexHealthRoute, (string?)container["healthRoute"]);
        Assert.Equal(ModelEndpointContract.VertexPredictRoute, (string?)container["predictRoute"]);

        var resources = Vertex("deploy-model")["deployedModel"]!["dedicatedResources"]!;
        Assert.Equal(Gpus, (int)resources["machineSpec"]!["acceleratorCount"]!);
        Assert.False(string.IsNullOrEmpty((string?)resources["machineSpec"]!["acceleratorType"]));
        Assert.Equal(Autoscaling.Min, (int)resources["minReplicaCount"]!);
        Assert.Equal(Autoscaling.Max, (int)resources["maxReplicaCount"]!);
        // A GPU model's queue grows when its GPU is busy: Vertex follows the accelerators' duty cycle.
        Assert.Equal(VertexPublisher.AcceleratorDutyCycleMetric, (string?)resources["autoscalingMetricSpecs"]!.AsArray().Single()!["metricName"]);
    }

    [Fact]
    public void The_platform_chooses_the_port_and_routes_so_the_environment_binds_none()
    {
        var environments = new Dictionary<string, IEnumerable<string>>
        {
            ["sagemaker"] = SageMaker("create-model")["PrimaryContainer"]!["Environment"]!.AsObject().Select(e => e.Key),
            ["vertex"] = Vertex("upload-model")["model"]!["containerSpec"]!["env"]!.AsArray().Select(e => (string)e!["name"]!),
        };
        foreach (var (platform, names) in environments)
        {
            Assert.NotEmpty(names);
            // SageMaker sets SAGEMAKER_BIND_TO_PORT, Vertex AI the AIP_* variables; a Kestrel URL would override both,
            // and an endpoint runs alone, so it discovers no other service.
            var binding = names.Where(n => n.StartsWith("Kestrel__Endpoints__", StringComparison.Ordinal)
                || n is "ASPNETCORE_URLS" or "ASPNETCORE_HTTP_PORTS" or "HTTP_PORTS"
                || n.StartsWith("SAGEMAKER_", StringComparison.Ordinal) || n.StartsWith("AIP_", StringComparison.Ordinal)
                || n.StartsWith("services__", StringComparison.Ordinal)).ToList();
            Assert.True(binding.Count == 0, $"{platform} sets {string.Join(", ", binding)}");
        }
    }

    [Theory]
    [InlineData("sagemaker")]
    [InlineData("vertex")]
    public void Every_placeholder_is_explained_and_every_file_the_README_names_exists(string platform)
    {
        var directory = Path.Combine(stack.OutputDirectory, platform);
        var readme = File.ReadAllText(Path.Combine(directory, "README.md"));
        var explained = TableVariable().Matches(readme).Select(m => m.Groups[1].Value).ToHashSet();

        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            foreach (var variable in Placeholder().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            {
                Assert.Contains(variable, explained);
            }
        }
        var named = NamedFile().Matches(readme).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.True(File.Exists(Path.Combine(directory, name)), $"README.md names {name}, which was not written"));
        Assert.All(Directory.GetFiles(directory, "*.json").Select(Path.GetFileName), name => Assert.Contains(name!, named));
    }

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^\| `([A-Z0-9_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex TableVariable();

    [GeneratedRegex(@"(?:file://resolved/|@resolved/|@|< )([a-z0-9.\-]+\.json)")]
    private static partial Regex NamedFile();
}
