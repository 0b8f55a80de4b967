using MlStack.Inference.KServe;

namespace Microsoft.Extensions.Hosting;

public static class KServeExtensions
{
    /// <summary>The Open Inference Protocol (KServe v2, as Triton serves it) over the model repository.</summary>
    public static WebApplication MapKServe(this WebApplication app)
    {
        app.MapGrpcService<InferenceService>();
        return app;
    }
}
