namespace Microsoft.Extensions.Hosting;

public static class InferenceServiceExtensions
{
    public static WebApplicationBuilder AddInferenceServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks();
        return builder;
    }

    public static WebApplication MapInferenceServices(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }
}
