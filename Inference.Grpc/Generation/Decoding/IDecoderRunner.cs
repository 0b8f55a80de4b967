namespace MlStack.Inference.Generation.Decoding;

/// <summary>One sequence's decoder state on ONNX Runtime: its KV cache and the step that extends it.</summary>
public interface IDecoderRunner : IDisposable
{
    /// <summary>Positions already in the cache.</summary>
    int PastLength { get; }

    /// <summary>
    /// Runs the model on new tokens (the prompt at prefill, then one token per step), keeps their keys and
    /// values in the cache and returns the logits of the last position (valid until the next call).
    /// </summary>
    ReadOnlySpan<float> Forward(ReadOnlySpan<long> tokens);
}
