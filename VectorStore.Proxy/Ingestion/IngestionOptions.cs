using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Ingestion;

/// <summary>Limits and chunking defaults of document ingest.</summary>
public sealed class IngestionOptions : IValidatableObject
{
    public const string SectionName = "VectorStore";

    /// <summary>Largest document accepted, in bytes (gRPC and HTTP request limits follow it).</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxDocumentBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Most chunks one document may produce.</summary>
    [Range(1, 1_000_000)]
    public int MaxChunksPerDocument { get; set; } = 20_000;

    [Range(50, 20_000)]
    public int DefaultChunkSize { get; set; } = 1000;

    [Range(0, 10_000)]
    public int DefaultChunkOverlap { get; set; } = 150;

    [Range(50, 20_000)]
    public int MinChunkSize { get; set; } = 100;

    [Range(50, 100_000)]
    public int MaxChunkSize { get; set; } = 8000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DefaultChunkOverlap >= DefaultChunkSize)
            yield return new ValidationResult("DefaultChunkOverlap must be smaller than DefaultChunkSize.");
        if (MinChunkSize > MaxChunkSize || DefaultChunkSize < MinChunkSize || DefaultChunkSize > MaxChunkSize)
            yield return new ValidationResult("Need MinChunkSize <= DefaultChunkSize <= MaxChunkSize.");
    }
}
