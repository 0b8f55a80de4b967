namespace MlStack.Inference.Execution;

/// <summary>Where ONNX Runtime runs a model's kernels.</summary>
public enum ExecutionProviderKind
{
    Cpu,

    /// <summary>NVIDIA GPU through the CUDA execution provider (needs the CUDA 13 + cuDNN runtime libraries).</summary>
    Cuda,
}
