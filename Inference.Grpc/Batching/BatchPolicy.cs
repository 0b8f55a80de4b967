using System.ComponentModel;

namespace MlStack.Inference.Batching;

/// <summary>What closes a batch of texts (EmbeddingBatching:Policy).</summary>
[TypeConverter(typeof(SettingEnumConverter<BatchPolicy>))]
public enum BatchPolicy
{
    /// <summary>A token budget (rows times the longest row, the tokens a padded run computes) with the request cap, texts grouped by length.</summary>
    Tokens,

    /// <summary>The request cap alone (max_batch_size), in arrival order: the policy before token budgets, kept for comparison.</summary>
    Requests,
}
