using System.ComponentModel.DataAnnotations;
using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Execution;

/// <summary>How ONNX Runtime sessions are created, bound from the "Execution" section.</summary>
public sealed class ExecutionOptions
{
    public const string SectionName = "Execution";

    /// <summary>auto (CUDA when it loads, else CPU), cuda (fail if CUDA cannot load) or cpu; any case.</summary>
    public ExecutionProviderPreference Provider { get; set; } = ExecutionProviderPreference.Auto;

    [Range(0, 64)]
    public int CudaDeviceId { get; set; }

    public GraphOptimizationLevel GraphOptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>Threads inside one operator; 0 lets ONNX Runtime choose (one per physical core).</summary>
    [Range(0, 1024)]
    public int IntraOpNumThreads { get; set; }

    /// <summary>Threads across independent operators; 0 lets ONNX Runtime choose.</summary>
    [Range(0, 1024)]
    public int InterOpNumThreads { get; set; }

    /// <summary>
    /// Whether idle intra-op threads spin waiting for work (ONNX Runtime's default). Spinning lowers latency on a
    /// dedicated machine but takes cores from gRPC and tokenization when cores are few or shared.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// With spinning allowed, whether intra-op threads stop spinning as soon as a run returns (ONNX Runtime's
    /// session.force_spinning_stop): they spin between the operators of a run, where the wait is short, but leave the
    /// cores to gRPC and tokenization between runs, such as between two decoder steps.
    /// </summary>
    public bool StopSpinningBetweenRuns { get; set; } = true;
}
