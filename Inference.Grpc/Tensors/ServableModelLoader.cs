using MlStack.Inference.Repository;
using Microsoft.Extensions.Options;
using MlStack.Inference.Batching;
using MlStack.Inference.Execution;

namespace MlStack.Inference.Tensors;

/// <summary>The loader of tensor (ModelInfer) and embedding (Embed and ModelInfer) models.</summary>
public sealed class ServableModelLoader(OrtSessionFactory sessions, InferenceMetrics metrics, IOptions<ModelRepositoryOptions> options,
    IOptions<EmbeddingBatchingOptions> embeddingBatching)
    : IModelLoader
{
    public IReadOnlyCollection<string> Tasks { get; } = [ModelConfig.TensorTask, ModelConfig.EmbeddingTask];

    public ILoadedModel Load(ModelVersionSource source) =>
        ServableModel.Load(source.Name, source.Version, source.Directory, source.Config, sessions, metrics, options.Value.DynamicBatching,
            embeddingBatching.Value.TokenBudget);
}
