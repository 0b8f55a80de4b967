using MlStack.Inference.Embeddings;
using MlStack.Inference.KServe;

namespace Microsoft.Extensions.Hosting;

public static class InferenceServiceExtensions
{
    public const string GrpcSectionName = "Grpc";

    public static WebApplicationBuilder AddInferenceServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
        {
            // Oversized messages are refused with RESOURCE_EXHAUSTED before they are parsed.
            var limits = builder.Configuration.GetSection(GrpcSectionName);
            options.MaxReceiveMessageSize = limits.GetValue<int?>("MaxReceiveMessageSize") ?? 64 * 1024 * 1024;
            options.MaxSendMessageSize = limits.GetValue<int?>("MaxSendMessageSize") ?? 64 * 1024 * 1024;
            options.EnableDetailedErrors = false;
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks();
        return builder;
    }

    public static WebApplication MapInferenceServices(this WebApplication app)
    {
        app.MapGrpcService<InferenceService>();
        app.MapGrpcService<EmbeddingsService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
