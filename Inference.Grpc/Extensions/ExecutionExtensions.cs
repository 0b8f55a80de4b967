using Microsoft.AspNetCore.Builder;
using MlStack.Inference.Execution;
using MlStack.Inference.Repository;

namespace Microsoft.Extensions.Hosting;

public static class ExecutionExtensions
{
    /// <summary>
    /// The ONNX Runtime session factory (CUDA when it loads, CPU fallback) and its settings ("Execution"), and the
    /// NVML GPU gauges, added at start only where a GPU is present.
    /// </summary>
    public static WebApplicationBuilder AddOnnxRuntime(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ExecutionOptions>(ExecutionOptions.SectionName);
        builder.Services.AddSingleton<OrtSessionFactory>();
        builder.Services.AddHostedService<GpuMetricsRegistration>();
        return builder;
    }
}
