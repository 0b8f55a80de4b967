using Microsoft.AspNetCore.Builder;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.PrefixCaching;
using MlStack.Inference.GrpcServices;
using MlStack.Inference.Repository;

namespace Microsoft.Extensions.Hosting;

public static class GenerationExtensions
{
    /// <summary>
    /// Streamed text generation on the repository's decoder models: settings ("Generation"), the repository's loader of
    /// text-generation models (each version with its batching scheduler), the prefix cache all of them share, the catalog view, the entry point and
    /// vLLM-style metrics. Loading and readiness are the model repository's.
    /// </summary>
    public static WebApplicationBuilder AddTextGeneration(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<GenerationOptions>(GenerationOptions.SectionName);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<GenerationMetrics>();
        builder.Services.AddSingleton<PrefixBlockStore>();
        builder.Services.AddSingleton<IModelLoader, GeneratorModelLoader>();
        builder.Services.AddSingleton<GeneratorCatalog>();
        builder.Services.AddSingleton<GenerationRequestValidator>();
        builder.Services.AddSingleton<PromptEncoder>();
        builder.Services.AddSingleton<TextGenerator>();
        return builder;
    }

    public static WebApplication MapTextGeneration(this WebApplication app)
    {
        app.MapGrpcService<TextGenerationService>();
        return app;
    }
}
