using MlStack.Inference.IntegrationTests.HttpDoors;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.SageMaker;

/// <summary>
/// The service as SageMaker starts it: "serve" as the argument, SAGEMAKER_BIND_TO_PORT naming the HTTP port, the model
/// artifact unpacked where SageMaker:ModelDirectory points (/opt/ml/model's layout, in a temporary folder).
/// </summary>
public sealed class SageMakerContainer : PlatformContainer
{
    public override string Generator => "sm-gpt";

    protected override (string ModelFolder, Dictionary<string, string> Settings) Configure(InferenceProcess process)
    {
        var model = Path.Combine(Root, "opt", "ml", "model");
        process.Arguments.Add("serve");
        process.Environment["SAGEMAKER_BIND_TO_PORT"] = Port(process);
        return (model, new() { ["SageMaker:ModelDirectory"] = model });
    }
}
