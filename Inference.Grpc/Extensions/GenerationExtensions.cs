using MlStack.Inference.Generation;

namespace Microsoft.Extensions.Hosting;

public static class GenerationExtensions
{
    /// <summary>
    /// Streamed text generation on the repository's decoder models: settings ("Generation"), the model catalog
    /// loaded in the background, admission bounds, vLLM-style metrics and a readiness check.
    /// </summary>
    public static WebApplicationBuilder AddTextGeneration(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<GenerationOptions>(GenerationOptions.SectionName);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<GeneratorCatalog>();
        builder.Services.AddHostedService<GeneratorLoader>();
        builder.Services.AddSingleton<GenerationMetrics>();
        builder.Services.AddSingleton<SequenceAdmission>();
        builder.Services.AddSingleton<GenerationRequestValidator>();
        builder.Services.AddSingleton<TextGenerator>();
        builder.Services.AddHealthChecks().AddCheck<GeneratorModelsHealthCheck>("text-generation");
        return builder;
    }

    public static WebApplication MapTextGeneration(this WebApplication app)
    {
        app.MapGrpcService<TextGenerationService>();
        return app;
    }
}
