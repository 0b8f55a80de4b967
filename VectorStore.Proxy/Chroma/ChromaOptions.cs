using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Chroma;

/// <summary>Where Chroma lives and how hard to try. Aspire supplies the address through service discovery ("http://chroma").</summary>
public sealed class ChromaOptions
{
    public const string SectionName = "Chroma";

    [Required]
    public Uri BaseAddress { get; set; } = new("http://chroma");

    [Required, RegularExpression("^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")]
    public string Tenant { get; set; } = "mlstack";

    [Required, RegularExpression("^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")]
    public string Database { get; set; } = "rag";

    /// <summary>Limit for one attempt; a stalled Chroma call is cut and retried.</summary>
    [Range(1, 300)]
    public int AttemptTimeoutSeconds { get; set; } = 15;

    /// <summary>Limit for a call with all its retries.</summary>
    [Range(1, 600)]
    public int TotalTimeoutSeconds { get; set; } = 60;

    [Range(0, 20)]
    public int MaxRetryAttempts { get; set; } = 5;

    [Range(1, 10_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 250;
}
