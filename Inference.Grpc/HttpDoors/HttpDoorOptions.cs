using System.ComponentModel.DataAnnotations;

namespace MlStack.Inference.HttpDoors;

/// <summary>The "HttpDoors" section: limits every HTTP door (OpenAI, SageMaker, Vertex AI) shares.</summary>
public sealed class HttpDoorOptions
{
    public const string SectionName = "HttpDoors";

    /// <summary>Largest request body; larger ones get 413. Default 6 MiB, SageMaker's real-time payload limit.</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 6L * 1024 * 1024;

    /// <summary>The Retry-After of a 429 (queue or admission limit full) or a 503 (models not loaded).</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// The host the HTTP endpoint listens on when a platform names its port (SAGEMAKER_BIND_TO_PORT, AIP_HTTP_PORT,
    /// the serve argument): every interface in a container; tests use loopback.
    /// </summary>
    [Required]
    public string PlatformListenHost { get; set; } = "+";
}
