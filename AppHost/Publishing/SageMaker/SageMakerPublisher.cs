using System.Text;
using System.Text.Json.Nodes;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Publishing.ModelEndpoints;

namespace MlStack.AppHost.Publishing.SageMaker;

/// <summary>
/// For each service published as a model endpoint, the AWS CLI's --cli-input-json bodies of a SageMaker real-time
/// endpoint: model, endpoint configuration, endpoint, and Application Auto Scaling's scalable target with
/// target-tracking policies (invocations per instance always; the matching serving signal when the model scales on
/// one), plus a README with the exact commands. Account, region, role and parameters stay ${NAME} placeholders.
/// </summary>
public sealed class SageMakerPublisher(DeploymentModel model, SageMakerPublishOptions options)
{
    public const string VariantName = "AllTraffic";
    public const string AccountVariable = "AWS_ACCOUNT_ID";
    public const string RegionVariable = "AWS_REGION";
    public const string RoleVariable = "SAGEMAKER_EXECUTION_ROLE_ARN";
    private const string Header = GeneratedFileHeader.Text;
    private const int ScaleInCooldownSeconds = 300;
    private const int ScaleOutCooldownSeconds = 60;

    public static string Registry => $"${{{AccountVariable}}}.dkr.ecr.${{{RegionVariable}}}.amazonaws.com";

    /// <summary>One NVIDIA A10G per GPU asked for (g5: 1, 4 or 8 GPUs); a CPU instance without GPUs.</summary>
    public static string DefaultInstanceType(int? gpus) => gpus switch
    {
        null => "ml.m5.xlarge",
        1 => "ml.g5.xlarge",
        <= 4 => "ml.g5.12xlarge",
        <= 8 => "ml.g5.48xlarge",
        _ => throw new InvalidOperationException($"No SageMaker g5 instance has {gpus} GPUs; set {SageMakerPublishOptions.SectionName}:InstanceType."),
    };

    public IReadOnlyDictionary<string, string> Render()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var endpoints = ModelEndpointService.From(model);
        foreach (var endpoint in endpoints)
        {
            var prefix = endpoint.Service.Name;
            files[$"{prefix}.create-model.json"] = JsonOutput.Write(CreateModel(endpoint));
            files[$"{prefix}.create-endpoint-config.json"] = JsonOutput.Write(CreateEndpointConfig(endpoint));
            files[$"{prefix}.create-endpoint.json"] = JsonOutput.Write(new JsonObject
            {
                ["EndpointName"] = endpoint.EndpointName,
                ["EndpointConfigName"] = endpoint.VersionedName,
            });
            if (endpoint.Service.Settings.Autoscaling is { } autoscaling)
            {
                files[$"{prefix}.register-scalable-target.json"] = JsonOutput.Write(ScalableTarget(endpoint, autoscaling));
                foreach (var (name, configuration) in Policies(endpoint, autoscaling.Metric))
                {
                    files[$"{prefix}.put-scaling-policy.{name}.json"] = JsonOutput.Write(Policy(endpoint, name, configuration));
                }
            }
        }
        if (endpoints.Count > 0)
        {
            files["README.md"] = Readme(endpoints, files.Keys);
        }
        return files;
    }

    private JsonObject CreateModel(ModelEndpointService endpoint)
    {
        var container = new JsonObject
        {
            ["Image"] = endpoint.ImageIn(Registry),
            ["Mode"] = "SingleModel",
            ["Environment"] = new JsonObject(endpoint.Environment.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)e.Value))),
        };
        if (!string.IsNullOrEmpty(options.ModelDataUrl))
        {
            container["ModelDataUrl"] = options.ModelDataUrl;
        }
        return new JsonObject
        {
            ["ModelName"] = endpoint.VersionedName,
            ["ExecutionRoleArn"] = $"${{{RoleVariable}}}",
            ["PrimaryContainer"] = container,
        };
    }

    private JsonObject CreateEndpointConfig(ModelEndpointService endpoint)
    {
        var settings = endpoint.Service.Settings;
        var variant = new JsonObject
        {
            ["VariantName"] = VariantName,
            ["ModelName"] = endpoint.VersionedName,
            ["InstanceType"] = string.IsNullOrEmpty(options.InstanceType) ? DefaultInstanceType(settings.Gpus) : options.InstanceType,
            ["InitialInstanceCount"] = settings.Replicas,
            ["InitialVariantWeight"] = 1.0,
            ["ContainerStartupHealthCheckTimeoutInSeconds"] = options.StartupHealthCheckTimeoutSeconds,
        };
        if (!string.IsNullOrEmpty(options.ModelDataUrl))
        {
            variant["ModelDataDownloadTimeoutInSeconds"] = options.StartupHealthCheckTimeoutSeconds;
        }
        return new JsonObject
        {
            ["EndpointConfigName"] = endpoint.VersionedName,
            ["ProductionVariants"] = new JsonArray(variant),
        };
    }

    private static string ResourceId(ModelEndpointService endpoint) => $"endpoint/{endpoint.EndpointName}/variant/{VariantName}";

    private static JsonObject ScalableTarget(ModelEndpointService endpoint, DeployedAutoscaling autoscaling) => new()
    {
        ["ServiceNamespace"] = "sagemaker",
        ["ResourceId"] = ResourceId(endpoint),
        ["ScalableDimension"] = "sagemaker:variant:DesiredInstanceCount",
        ["MinCapacity"] = autoscaling.Min,
        ["MaxCapacity"] = autoscaling.Max,
    };

    /// <summary>
    /// Invocations per instance, the metric SageMaker recommends, always; a second policy follows the model's own
    /// signal. With several target-tracking policies Application Auto Scaling scales out when any asks and in only
    /// when all agree.
    /// </summary>
    private IEnumerable<(string Name, JsonObject Configuration)> Policies(ModelEndpointService endpoint, AutoscalingMetric metric)
    {
        yield return ("invocations", Predefined("SageMakerVariantInvocationsPerInstance", options.InvocationsPerInstanceTarget));
        switch (metric)
        {
            case WaitingRequestsMetric waiting:
                // Requests in the container, queued ones included, every 10 s: the closest SageMaker has to a queue.
                yield return ("concurrency", Predefined("SageMakerVariantConcurrentRequestsPerModelHighResolution", waiting.TargetPerReplica));
                break;
            case GpuUtilizationMetric gpu:
                yield return ("gpu", Customized(endpoint, "GPUUtilization", gpu.TargetPercent));
                break;
            case CpuUtilizationMetric cpu:
                yield return ("cpu", Customized(endpoint, "CPUUtilization", cpu.TargetPercent));
                break;
        }
    }

    private static JsonObject Predefined(string metricType, int target) => new()
    {
        ["TargetValue"] = (double)target,
        ["PredefinedMetricSpecification"] = new JsonObject { ["PredefinedMetricType"] = metricType },
    };

    /// <summary>An instance metric of the variant (namespace /aws/sagemaker/Endpoints); the endpoint's name is known here.</summary>
    private static JsonObject Customized(ModelEndpointService endpoint, string metricName, int targetPercent) => new()
    {
        ["TargetValue"] = (double)targetPercent,
        ["CustomizedMetricSpecification"] = new JsonObject
        {
            ["MetricName"] = metricName,
            ["Namespace"] = "/aws/sagemaker/Endpoints",
            ["Dimensions"] = new JsonArray(
                new JsonObject { ["Name"] = "EndpointName", ["Value"] = endpoint.EndpointName },
                new JsonObject { ["Name"] = "VariantName", ["Value"] = VariantName }),
            ["Statistic"] = "Average",
            ["Unit"] = "Percent",
        },
    };

    private JsonObject Policy(ModelEndpointService endpoint, string name, JsonObject configuration)
    {
        configuration["ScaleInCooldown"] = ScaleInCooldownSeconds;
        configuration["ScaleOutCooldown"] = ScaleOutCooldownSeconds;
        return new JsonObject
        {
            ["PolicyName"] = $"{endpoint.EndpointName}-{name}",
            ["ServiceNamespace"] = "sagemaker",
            ["ResourceId"] = ResourceId(endpoint),
            ["ScalableDimension"] = "sagemaker:variant:DesiredInstanceCount",
            ["PolicyType"] = "TargetTrackingScaling",
            ["TargetTrackingScalingPolicyConfiguration"] = configuration,
        };
    }

    private string Readme(IReadOnlyList<ModelEndpointService> endpoints, IEnumerable<string> files)
    {
        var fileNames = files.ToList();
        var text = new StringBuilder()
            .AppendLine("# SageMaker real-time endpoints")
            .AppendLine()
            .AppendLine($"<!-- {Header} -->")
            .AppendLine()
            .AppendLine("The same image as the compose and Kubernetes outputs, serving SageMaker's container contract: SageMaker starts it")
            .AppendLine($"as `docker run IMAGE {ModelEndpointContract.SageMakerServeArgument}`, sends `GET /ping` and `POST /invocations` to port {ModelEndpointContract.HttpPort}")
            .AppendLine("(or to `SAGEMAKER_BIND_TO_PORT`, which it sets because the image carries the label")
            .AppendLine($"`{ModelEndpointContract.SageMakerBindToPortLabel}`), and unpacks `ModelDataUrl`, when set, into `{ModelEndpointContract.SageMakerModelDirectory}`.")
            .AppendLine("SageMaker pulls images from Amazon ECR only. Every `${NAME}` in the JSON files is a placeholder that `envsubst` fills from")
            .AppendLine("your environment; nothing else in them is replaced. Environment values become part of the SageMaker model and are")
            .AppendLine("visible to anyone allowed `sagemaker:DescribeModel`.")
            .AppendLine();
        foreach (var endpoint in endpoints)
        {
            var prefix = endpoint.Service.Name;
            var variables = new[] { AccountVariable, RegionVariable, RoleVariable }.Concat(endpoint.Parameters.Select(p => p.EnvironmentName)).ToList();
            var ecr = $"${AccountVariable}.dkr.ecr.${RegionVariable}.amazonaws.com";
            text.AppendLine($"## `{prefix}` as endpoint `{endpoint.EndpointName}`")
                .AppendLine()
                .AppendLine("| Variable | What to set |")
                .AppendLine("|---|---|")
                .AppendLine($"| `{AccountVariable}` | the AWS account that owns the ECR repository `{endpoint.Service.Image.Repository}` |")
                .AppendLine($"| `{RegionVariable}` | the region of the endpoint and the repository |")
                .AppendLine($"| `{RoleVariable}` | an IAM role SageMaker assumes: pull from ECR, write CloudWatch logs{(string.IsNullOrEmpty(options.ModelDataUrl) ? "" : $", read {options.ModelDataUrl}")} |");
            foreach (var parameter in endpoint.Parameters)
            {
                text.AppendLine($"| `{parameter.EnvironmentName}` | the AppHost parameter `{parameter.Name}`{(parameter.Secret ? " (secret)" : "")} |");
            }
            text.AppendLine()
                .AppendLine("```bash")
                .AppendLine("cd out/sagemaker")
                .AppendLine($"export {AccountVariable}=123456789012 {RegionVariable}=eu-west-1 {RoleVariable}=arn:aws:iam::123456789012:role/mlstack-sagemaker")
                .AppendLine()
                .AppendLine($"# 1. The image in ECR: the release's (docker pull ghcr.io/OWNER/{endpoint.Service.Image.Reference}, then tag it {endpoint.Service.Image.Reference})")
                .AppendLine($"#    or your own build (docker build -f {endpoint.Service.Image.Dockerfile} -t {endpoint.Service.Image.Reference} .)")
                .AppendLine($"aws ecr create-repository --repository-name {endpoint.Service.Image.Repository} --region \"${RegionVariable}\" || true")
                .AppendLine($"aws ecr get-login-password --region \"${RegionVariable}\" | docker login --username AWS --password-stdin \"{ecr}\"")
                .AppendLine($"docker tag {endpoint.Service.Image.Reference} \"{ecr}/{endpoint.Service.Image.Reference}\"")
                .AppendLine($"docker push \"{ecr}/{endpoint.Service.Image.Reference}\"")
                .AppendLine()
                .AppendLine("# 2. The placeholders filled in")
                .AppendLine($"mkdir -p resolved && for f in {prefix}.*.json; do envsubst {ModelEndpointService.EnvsubstFormat(variables)} < \"$f\" > \"resolved/$f\"; done")
                .AppendLine()
                .AppendLine("# 3. Model, endpoint configuration, endpoint")
                .AppendLine($"aws sagemaker create-model --cli-input-json file://resolved/{prefix}.create-model.json")
                .AppendLine($"aws sagemaker create-endpoint-config --cli-input-json file://resolved/{prefix}.create-endpoint-config.json")
                .AppendLine($"aws sagemaker create-endpoint --cli-input-json file://resolved/{prefix}.create-endpoint.json")
                .AppendLine($"aws sagemaker wait endpoint-in-service --endpoint-name {endpoint.EndpointName}");
            if (fileNames.Contains($"{prefix}.register-scalable-target.json"))
            {
                text.AppendLine()
                    .AppendLine("# 4. Autoscaling")
                    .AppendLine($"aws application-autoscaling register-scalable-target --cli-input-json file://resolved/{prefix}.register-scalable-target.json");
                foreach (var policy in fileNames.Where(f => f.StartsWith($"{prefix}.put-scaling-policy.", StringComparison.Ordinal)))
                {
                    text.AppendLine($"aws application-autoscaling put-scaling-policy --cli-input-json file://resolved/{policy}");
                }
            }
            text.AppendLine("```")
                .AppendLine()
                .AppendLine("A new version (a new image tag) gets a new model and endpoint configuration: run steps 1 to 3 again with")
                .AppendLine($"`aws sagemaker update-endpoint --cli-input-json file://resolved/{prefix}.create-endpoint.json` instead of `create-endpoint`.")
                .AppendLine("To remove it: `aws sagemaker delete-endpoint --endpoint-name " + endpoint.EndpointName + "`, then `delete-endpoint-config` and `delete-model`")
                .AppendLine($"with the name `{endpoint.VersionedName}`.")
                .AppendLine();
        }
        return text.ToString();
    }
}
