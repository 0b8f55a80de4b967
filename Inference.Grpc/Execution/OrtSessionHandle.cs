using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Execution;

/// <summary>An ONNX Runtime session and the provider that really runs it.</summary>
public sealed record OrtSessionHandle(InferenceSession Session, ExecutionProviderKind Provider, string ProviderReason) : IDisposable
{
    public void Dispose() => Session.Dispose();
}
