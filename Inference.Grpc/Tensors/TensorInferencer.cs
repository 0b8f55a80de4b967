using System.Diagnostics;
using MlStack.Inference.Repository;
using MlStack.Inference.V2;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Tensors;

/// <summary>
/// The one entry point of Open Inference Protocol inference, whatever the door (gRPC ModelInfer, the SageMaker door's
/// JSON form): checks the request against the model, queues it to the model's batcher and answers in
/// raw_output_contents. Failures are InferenceExceptions with a precise reason, counted in the serving metrics.
/// </summary>
public sealed class TensorInferencer(ModelRepository repository, InferenceMetrics metrics, RequestMemoryBudget budget,
    ILogger<TensorInferencer> logger)
{
    /// <param name="deadline">When the caller stops waiting (gRPC's deadline); DateTime.MaxValue for none.</param>
    public async Task<ModelInferResponse> InferAsync(ModelInferRequest request, DateTime deadline, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        // Labels only name models that exist: free-form names from bad requests would grow the series without bound.
        string model = "", version = "";
        TensorWork? work = null;
        try
        {
            var served = repository.Resolve<ServableModel>(request.ModelName, request.ModelVersion,
                "ModelInfer serves tensor and embedding models; use mlstack.inference.v1.TextGeneration");
            (model, version) = (served.Name, served.VersionText);
            work = InferRequestDecoder.Decode(request, served, budget, cancellationToken);
            var outputs = await served.Tensors.EnqueueAsync(work);

            var response = new ModelInferResponse { ModelName = served.Name, ModelVersion = served.VersionText, Id = request.Id };
            foreach (var output in outputs)
            {
                if (request.Outputs.Count > 0 && !request.Outputs.Any(o => o.Name == output.Name)) continue;
                response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor
                {
                    Name = output.Name,
                    Datatype = output.DataType,
                    Shape = { output.Shape },
                });
                response.RawOutputContents.Add(output.Data);
            }
            metrics.RequestSucceeded(model, version, Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception error)
        {
            var status = ServingErrors.Classify(error, request.ModelName, deadline, logger);
            metrics.RequestFailed(model, version, status.Reason);
            throw status;
        }
        finally
        {
            work?.ReturnBuffers();
        }
    }
}
