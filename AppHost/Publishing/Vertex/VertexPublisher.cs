using System.Text;
using System.Text.Json.Nodes;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Publishing.ModelEndpoints;

namespace MlStack.AppHost.Publishing.Vertex;

/// <summary>
/// For each service published as a model endpoint, the Vertex AI REST bodies (v1) of a custom-container online
/// prediction endpoint: model upload (image, port, health and predict routes, environment), endpoint creation and
/// model deployment (machine, accelerators, replica bounds, autoscaling target), plus a README with the exact
/// commands. Project, region, the ids Vertex assigns and parameters stay ${NAME} placeholders.
/// </summary>
public sealed class VertexPublisher(DeploymentModel model, VertexPublishOptions options)
{
    public const string ProjectVariable = "GCP_PROJECT";
    public const string RegionVariable = "GCP_REGION";
    public const string ModelIdVariable = "VERTEX_MODEL_ID";
    public const string CpuUtilizationMetric = "aiplatform.googleapis.com/prediction/online/cpu/utilization";
    public const string AcceleratorDutyCycleMetric = "aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle";
    private const string Header = GeneratedFileHeader.Text;

    /// <summary>Vertex AI's default utilisation target, used where the model's signal has no Vertex counterpart.</summary>
    private const int DefaultTargetPercent = 60;

    public static string Registry => $"${{{RegionVariable}}}-docker.pkg.dev/${{{ProjectVariable}}}";

    public IReadOnlyDictionary<string, string> Render()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var endpoints = ModelEndpointService.From(model);
        foreach (var endpoint in endpoints)
        {
            var prefix = endpoint.Service.Name;
            files[$"{prefix}.upload-model.json"] = JsonOutput.Write(UploadModel(endpoint));
            files[$"{prefix}.create-endpoint.json"] = JsonOutput.Write(new JsonObject { ["displayName"] = endpoint.EndpointName });
            files[$"{prefix}.deploy-model.json"] = JsonOutput.Write(DeployModel(endpoint));
        }
        if (endpoints.Count > 0)
        {
            files["README.md"] = Readme(endpoints);
        }
        return files;
    }

    private JsonObject UploadModel(ModelEndpointService endpoint)
    {
        var container = new JsonObject
        {
            ["imageUri"] = endpoint.ImageIn(Registry),
            ["env"] = new JsonArray([.. endpoint.Environment.Select(e => (JsonNode)new JsonObject { ["name"] = e.Key, ["value"] = e.Value })]),
            // Passed to the container as AIP_HTTP_PORT, AIP_HEALTH_ROUTE and AIP_PREDICT_ROUTE.
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = endpoint.Port.Port }),
            ["healthRoute"] = ModelEndpointContract.VertexHealthRoute,
            ["predictRoute"] = ModelEndpointContract.VertexPredictRoute,
        };
        var uploaded = new JsonObject
        {
            ["displayName"] = endpoint.EndpointName,
            ["versionAliases"] = new JsonArray(endpoint.VersionedName),
            ["containerSpec"] = container,
        };
        if (!string.IsNullOrEmpty(options.ArtifactUri))
        {
            uploaded["artifactUri"] = options.ArtifactUri;
        }
        return new JsonObject { ["model"] = uploaded };
    }

    private JsonObject DeployModel(ModelEndpointService endpoint)
    {
        var settings = endpoint.Service.Settings;
        var machine = new JsonObject { ["machineType"] = options.MachineType };
        if (settings.Gpus is { } gpus)
        {
            machine["acceleratorType"] = options.AcceleratorType;
            machine["acceleratorCount"] = gpus;
        }
        var resources = new JsonObject
        {
            ["machineSpec"] = machine,
            ["minReplicaCount"] = settings.Autoscaling?.Min ?? settings.Replicas,
            ["maxReplicaCount"] = settings.Autoscaling?.Max ?? settings.Replicas,
        };
        if (settings.Autoscaling is { } autoscaling)
        {
            resources["autoscalingMetricSpecs"] = new JsonArray(AutoscalingTarget(autoscaling.Metric, settings.Gpus is not null));
        }
        return new JsonObject
        {
            ["deployedModel"] = new JsonObject
            {
                ["model"] = $"projects/${{{ProjectVariable}}}/locations/${{{RegionVariable}}}/models/${{{ModelIdVariable}}}",
                ["displayName"] = endpoint.VersionedName,
                ["dedicatedResources"] = resources,
            },
            ["trafficSplit"] = new JsonObject { ["0"] = 100 },
        };
    }

    /// <summary>
    /// Vertex AI scales on CPU utilisation and the accelerators' duty cycle only. A queue signal has no counterpart:
    /// a GPU model's queue grows when its GPU is busy, so it follows the duty cycle at Vertex's default target.
    /// </summary>
    private static JsonObject AutoscalingTarget(AutoscalingMetric metric, bool hasGpu)
    {
        var (name, target) = metric switch
        {
            CpuUtilizationMetric cpu => (CpuUtilizationMetric, cpu.TargetPercent),
            GpuUtilizationMetric gpu => (AcceleratorDutyCycleMetric, gpu.TargetPercent),
            WaitingRequestsMetric => (hasGpu ? AcceleratorDutyCycleMetric : CpuUtilizationMetric, DefaultTargetPercent),
            _ => throw new NotSupportedException($"Autoscaling on {metric.GetType().Name} cannot be published to Vertex AI."),
        };
        return new JsonObject { ["metricName"] = name, ["target"] = target };
    }

    private static string Readme(IReadOnlyList<ModelEndpointService> endpoints)
    {
        var text = new StringBuilder()
            .AppendLine("# Vertex AI online prediction endpoints")
            .AppendLine()
            .AppendLine($"<!-- {Header} -->")
            .AppendLine()
            .AppendLine("The same image as the compose and Kubernetes outputs, serving Vertex AI's custom container contract: Vertex AI sets")
            .AppendLine($"`AIP_HTTP_PORT` ({ModelEndpointContract.HttpPort}), `AIP_HEALTH_ROUTE` (`{ModelEndpointContract.VertexHealthRoute}`) and `AIP_PREDICT_ROUTE`")
            .AppendLine($"(`{ModelEndpointContract.VertexPredictRoute}`), and `AIP_STORAGE_URI` when the model has an `artifactUri` (a `gs://` copy of it).")
            .AppendLine("Vertex AI pulls images from Artifact Registry. Every `${NAME}` in the JSON files is a placeholder that `envsubst` fills")
            .AppendLine("from your environment; nothing else in them is replaced. The bodies are for the v1 REST API; `gcloud` only lists ids.")
            .AppendLine();
        foreach (var endpoint in endpoints)
        {
            var prefix = endpoint.Service.Name;
            var uploadVariables = new[] { ProjectVariable, RegionVariable }.Concat(endpoint.Parameters.Select(p => p.EnvironmentName)).ToList();
            var registry = $"${RegionVariable}-docker.pkg.dev/${ProjectVariable}";
            text.AppendLine($"## `{prefix}` as endpoint `{endpoint.EndpointName}`")
                .AppendLine()
                .AppendLine("| Variable | What to set |")
                .AppendLine("|---|---|")
                .AppendLine($"| `{ProjectVariable}` | the Google Cloud project |")
                .AppendLine($"| `{RegionVariable}` | the region of the endpoint and of the Artifact Registry repository `mlstack` |")
                .AppendLine($"| `{ModelIdVariable}` | the id Vertex AI gives the uploaded model (step 3 finds it) |");
            foreach (var parameter in endpoint.Parameters)
            {
                text.AppendLine($"| `{parameter.EnvironmentName}` | the AppHost parameter `{parameter.Name}`{(parameter.Secret ? " (secret)" : "")} |");
            }
            text.AppendLine()
                .AppendLine("```bash")
                .AppendLine("cd out/vertex")
                .AppendLine($"export {ProjectVariable}=my-project {RegionVariable}=europe-west4")
                .AppendLine($"API=\"https://${RegionVariable}-aiplatform.googleapis.com/v1/projects/${ProjectVariable}/locations/${RegionVariable}\"")
                .AppendLine("AUTH=\"Authorization: Bearer $(gcloud auth print-access-token)\"")
                .AppendLine()
                .AppendLine($"# 1. The image in Artifact Registry: the release's (docker pull ghcr.io/OWNER/{endpoint.Service.Image.Reference}, then tag it {endpoint.Service.Image.Reference})")
                .AppendLine($"#    or your own build (docker build -f {endpoint.Service.Image.Dockerfile} -t {endpoint.Service.Image.Reference} .)")
                .AppendLine($"gcloud artifacts repositories create mlstack --repository-format=docker --location=\"${RegionVariable}\" || true")
                .AppendLine($"gcloud auth configure-docker \"${RegionVariable}-docker.pkg.dev\"")
                .AppendLine($"docker tag {endpoint.Service.Image.Reference} \"{registry}/{endpoint.Service.Image.Reference}\"")
                .AppendLine($"docker push \"{registry}/{endpoint.Service.Image.Reference}\"")
                .AppendLine()
                .AppendLine("# 2. Upload the model and create the endpoint")
                .AppendLine($"mkdir -p resolved && envsubst {ModelEndpointService.EnvsubstFormat(uploadVariables)} < {prefix}.upload-model.json > resolved/{prefix}.upload-model.json")
                .AppendLine($"curl -fsS -X POST -H \"$AUTH\" -H \"Content-Type: application/json\" -d @resolved/{prefix}.upload-model.json \"$API/models:upload\"")
                .AppendLine($"curl -fsS -X POST -H \"$AUTH\" -H \"Content-Type: application/json\" -d @{prefix}.create-endpoint.json \"$API/endpoints\"")
                .AppendLine()
                .AppendLine("# 3. The ids Vertex AI assigned (the upload takes a minute or two)")
                .AppendLine($"until {ModelIdVariable}=$(gcloud ai models list --region=\"${RegionVariable}\" --filter='display_name={endpoint.EndpointName}' --sort-by=~createTime --format='value(name.basename())' | head -n 1) && [ -n \"${ModelIdVariable}\" ]; do sleep 10; done")
                .AppendLine($"export {ModelIdVariable}")
                .AppendLine($"until ENDPOINT_ID=$(gcloud ai endpoints list --region=\"${RegionVariable}\" --filter='display_name={endpoint.EndpointName}' --format='value(name.basename())' | head -n 1) && [ -n \"$ENDPOINT_ID\" ]; do sleep 5; done")
                .AppendLine()
                .AppendLine("# 4. Deploy the model on the endpoint (machines, accelerators, replica bounds, autoscaling)")
                .AppendLine($"envsubst {ModelEndpointService.EnvsubstFormat([ProjectVariable, RegionVariable, ModelIdVariable])} < {prefix}.deploy-model.json > resolved/{prefix}.deploy-model.json")
                .AppendLine($"curl -fsS -X POST -H \"$AUTH\" -H \"Content-Type: application/json\" -d @resolved/{prefix}.deploy-model.json \"$API/endpoints/$ENDPOINT_ID:deployModel\"")
                .AppendLine("```")
                .AppendLine()
                .AppendLine($"A new version (a new image tag) is uploaded as a new model (steps 1 to 3) and deployed on the same endpoint with step 4, which")
                .AppendLine("sends it all traffic; undeploy the previous one with `gcloud ai endpoints undeploy-model $ENDPOINT_ID --region=$GCP_REGION --deployed-model-id=...`.")
                .AppendLine();
        }
        return text.ToString();
    }
}
