using Microsoft.Extensions.Logging.Abstractions;
using MlStack.Inference.Execution;

namespace MlStack.Inference.UnitTests.Execution;

// These run on CPU-only machines (CI): they pin down the selection and fallback logic of the CUDA path.
public sealed class OrtSessionFactoryTests
{
    private static bool HasNvidiaGpu => File.Exists("/dev/nvidia0");

    [Fact]
    public void Cpu_setting_never_tries_cuda()
    {
        var (kind, reason) = OrtSessionFactory.Probe(new ExecutionOptions { Provider = ExecutionProviderPreference.Cpu }, NullLogger.Instance);

        Assert.Equal(ExecutionProviderKind.Cpu, kind);
        Assert.Equal("configured: cpu", reason);
    }

    [Fact]
    public void Auto_uses_cuda_on_a_gpu_host_and_falls_back_to_cpu_with_the_reason_elsewhere()
    {
        var (kind, reason) = OrtSessionFactory.Probe(new ExecutionOptions { Provider = ExecutionProviderPreference.Auto }, NullLogger.Instance);

        if (HasNvidiaGpu)
        {
            Assert.Equal(ExecutionProviderKind.Cuda, kind);
            return;
        }
        Assert.Equal(ExecutionProviderKind.Cpu, kind);
        Assert.StartsWith("CUDA unavailable: ", reason);
        Assert.True(reason.Length > "CUDA unavailable: ".Length, "the reason carries ONNX Runtime's load error");
    }

    [Fact]
    public void Cuda_setting_refuses_with_a_clear_message_where_cuda_cannot_load()
    {
        if (HasNvidiaGpu)
        {
            Assert.Equal(ExecutionProviderKind.Cuda,
                OrtSessionFactory.Probe(new ExecutionOptions { Provider = ExecutionProviderPreference.Cuda }, NullLogger.Instance).Kind);
            return;
        }

        var error = Assert.Throws<InvalidOperationException>(() =>
            OrtSessionFactory.Probe(new ExecutionOptions { Provider = ExecutionProviderPreference.Cuda }, NullLogger.Instance));

        Assert.Contains("Execution:Provider=cuda", error.Message);
        Assert.Contains("cannot load", error.Message);
    }
}
