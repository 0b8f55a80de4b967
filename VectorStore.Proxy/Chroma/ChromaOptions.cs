using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Chroma;

/// <summary>Where Chroma lives. Aspire supplies the address through service discovery ("http://chroma").</summary>
public sealed class ChromaOptions
{
    public const string SectionName = "Chroma";

    [Required]
    public Uri BaseAddress { get; set; } = new("http://chroma");

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;
}
