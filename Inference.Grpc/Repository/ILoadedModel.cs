using MlStack.Inference.Execution;

namespace MlStack.Inference.Repository;

/// <summary>
/// One loaded version of a model, whatever its task: what the repository keeps, lists, routes requests to and
/// unloads. Tensor and embedding models are <see cref="ServableModel"/>s; text-generation models are
/// Generation's GeneratorModel.
/// </summary>
public interface ILoadedModel : IAsyncDisposable
{
    string Name { get; }

    long Version { get; }

    string VersionText { get; }

    /// <summary>The model.json it was loaded with (the file, or the override a load request gave).</summary>
    ModelConfig Config { get; }

    ExecutionProviderKind Provider { get; }

    /// <summary>Its tensors as ModelMetadata describes them.</summary>
    TensorSpec[] Inputs { get; }

    TensorSpec[] Outputs { get; }

    /// <summary>Requests waiting in its queues (mlstack_inference_pending_requests).</summary>
    int PendingCount { get; }
}
