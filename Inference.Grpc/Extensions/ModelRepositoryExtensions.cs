using Microsoft.AspNetCore.Builder;
using MlStack.Inference.Batching;
using MlStack.Inference.Repository;
using MlStack.Inference.Tensors;

namespace Microsoft.Extensions.Hosting;

public static class ModelRepositoryExtensions
{
    public const string ModelsReadyCheck = "models";

    /// <summary>
    /// The model repository of every task ("ModelRepository"), the loader of tensor and embedding models (features
    /// add theirs, e.g. text generation), its startup loader, the serving metrics of its models (ModelInfer and Embed
    /// alike) and the one readiness check.
    /// </summary>
    public static WebApplicationBuilder AddModelRepository(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ModelRepositoryOptions>(ModelRepositoryOptions.SectionName);
        builder.AddValidatedOptions<EmbeddingBatchingOptions>(EmbeddingBatchingOptions.SectionName);
        builder.Services.AddSingleton<InferenceMetrics>();
        builder.Services.AddSingleton<RequestMemoryBudget>();
        builder.Services.AddSingleton<MiniLmModelInstaller>();
        builder.Services.AddSingleton<IModelLoader, ServableModelLoader>();
        builder.Services.AddSingleton<ModelRepository>();
        builder.Services.AddHostedService<ModelRepositoryLoader>();
        // Not tagged "live": /alive stays up while models load, /health and grpc.health wait for them.
        builder.Services.AddHealthChecks().AddCheck<ModelsReadyHealthCheck>(ModelsReadyCheck);
        return builder;
    }
}
