using System.ComponentModel.DataAnnotations;

namespace MlStack.Inference.Batching;

/// <summary>
/// The "EmbeddingBatching" section: how an embedding model's text queue closes its batches when model.json turns
/// dynamic batching on (after text-embeddings-inference's max-batch-tokens). The request cap stays model.json's
/// max_batch_size; tensor (ModelInfer) queues always count rows.
/// </summary>
public sealed class EmbeddingBatchingOptions
{
    public const string SectionName = "EmbeddingBatching";

    /// <summary>tokens (the default) or requests; any case.</summary>
    public BatchPolicy Policy { get; set; } = BatchPolicy.Tokens;

    /// <summary>
    /// Tokens one run may compute, padding included (rows times the longest row). A text longer than this runs alone.
    /// 8192 is 32 texts at MiniLM's 256-token limit: about a second and a half of CPU on a 2-core machine.
    /// </summary>
    [Range(16, 1_048_576)]
    public int MaxBatchTokens { get; set; } = 8192;

    /// <summary>The budget a text queue gets: 0 (batches count requests) unless the policy is tokens.</summary>
    public int TokenBudget => Policy == BatchPolicy.Tokens ? MaxBatchTokens : 0;
}
