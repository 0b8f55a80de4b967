using Microsoft.AspNetCore.Builder;
using MlStack.Inference.GrpcServices;
using MlStack.Inference.Tensors;

namespace Microsoft.Extensions.Hosting;

public static class KServeExtensions
{
    /// <summary>The one ModelInfer entry point, which the gRPC service and the SageMaker door's JSON form share.</summary>
    public static WebApplicationBuilder AddKServe(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TensorInferencer>();
        return builder;
    }

    /// <summary>The Open Inference Protocol (KServe v2, as Triton serves it) over the model repository.</summary>
    public static WebApplication MapKServe(this WebApplication app)
    {
        app.MapGrpcService<InferenceService>();
        return app;
    }
}
