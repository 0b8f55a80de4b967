using Microsoft.AspNetCore.Builder;
using MlStack.Inference.GrpcServices;

namespace Microsoft.Extensions.Hosting;

public static class GrpcServerExtensions
{
    public const string GrpcSectionName = "Grpc";

    /// <summary>
    /// What every gRPC service of the process shares: message size limits ("Grpc" section), reflection and the
    /// grpc.health.v1 service, which answers from the health checks the features register.
    /// </summary>
    public static WebApplicationBuilder AddGrpcServer(this WebApplicationBuilder builder)
    {
        builder.Services.AddGrpc(options =>
        {
            // Oversized messages are refused with RESOURCE_EXHAUSTED before they are parsed.
            var limits = builder.Configuration.GetSection(GrpcSectionName);
            options.MaxReceiveMessageSize = limits.GetValue<int?>("MaxReceiveMessageSize") ?? 64 * 1024 * 1024;
            options.MaxSendMessageSize = limits.GetValue<int?>("MaxSendMessageSize") ?? 64 * 1024 * 1024;
            options.EnableDetailedErrors = false;
            // The engine's refusals become precise statuses (ApiErrors/ErrorMapping.cs), in every service.
            options.Interceptors.Add<GrpcErrorInterceptor>();
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks();
        return builder;
    }

    /// <summary>
    /// grpc.health stays open (probes carry no key). Reflection is mapped only in the local run (Development), and
    /// asks for the API key like every other method.
    /// </summary>
    public static WebApplication MapGrpcServer(this WebApplication app)
    {
        app.MapGrpcHealthChecksService().AllowAnonymous();
        if (app.Environment.IsDevelopment()) app.MapGrpcReflectionService();
        return app;
    }
}
