using MlStack.Inference.IntegrationTests.HttpDoors;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Vertex;

/// <summary>
/// The service as Vertex AI starts a custom container: AIP_HTTP_PORT, the health and predict routes of a deployed model,
/// and AIP_STORAGE_URI naming a gs:// artifact that Cloud Storage FUSE mounts (Vertex:GcsMountRoot, /gcs in production).
/// </summary>
public sealed class VertexContainer : PlatformContainer
{
    public const string HealthRoute = "/v1/endpoints/1234/deployedModels/5678";
    public const string PredictRoute = "/v1/endpoints/1234/deployedModels/5678:predict";

    public override string Generator => "vx-gpt";

    protected override (string ModelFolder, Dictionary<string, string> Settings) Configure(InferenceProcess process)
    {
        var gcs = Path.Combine(Root, "gcs");
        process.Environment["AIP_MODE"] = "PREDICTION";
        process.Environment["AIP_HTTP_PORT"] = Port(process);
        process.Environment["AIP_HEALTH_ROUTE"] = HealthRoute;
        process.Environment["AIP_PREDICT_ROUTE"] = PredictRoute;
        process.Environment["AIP_STORAGE_URI"] = "gs://mlstack-models/serving";
        process.Environment["AIP_DEPLOYED_MODEL_ID"] = "5678";
        process.Environment["AIP_ENDPOINT_ID"] = "1234";
        return (Path.Combine(gcs, "mlstack-models", "serving"), new() { ["Vertex:GcsMountRoot"] = gcs });
    }
}
