namespace MlStack.Inference.IntegrationTests.Generation.AttentionFusion;

/// <summary>
/// The shipped repository served with Generation:FuseAttention off: the Optimum exports run as exported, their KV cache
/// concatenated step by step (the path a graph the rewrite refuses takes).
/// </summary>
public sealed class ExportedAttentionHost : GenerationHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings => [new("Generation:FuseAttention", "false")];
}
