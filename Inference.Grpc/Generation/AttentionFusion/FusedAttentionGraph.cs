namespace MlStack.Inference.Generation.AttentionFusion;

/// <summary>
/// A decoder graph with its attention fused (<see cref="Model"/>, serialized; <see cref="Layers"/> layers), or the
/// <see cref="Refusal"/>: why the model is served as exported.
/// </summary>
public sealed record FusedAttentionGraph(byte[]? Model, int Layers, string? Refusal)
{
    internal static FusedAttentionGraph Refused(string reason) => new(null, 0, reason);
}
