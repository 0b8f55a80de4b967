using MlStack.Inference.Execution;

namespace Microsoft.Extensions.Hosting;

public static class OnnxRuntimeExtensions
{
    /// <summary>Registers the ONNX Runtime session factory (CUDA when it loads, CPU fallback) and its settings.</summary>
    public static WebApplicationBuilder AddOnnxRuntime(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ExecutionOptions>(ExecutionOptions.SectionName);
        builder.Services.AddSingleton<OrtSessionFactory>();
        return builder;
    }
}
