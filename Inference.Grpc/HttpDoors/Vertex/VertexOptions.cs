using System.ComponentModel.DataAnnotations;

namespace MlStack.Inference.HttpDoors.Vertex;

/// <summary>
/// The Vertex AI custom container contract: bound from the "Vertex" section, then from the variables Vertex AI sets
/// (AIP_HEALTH_ROUTE, AIP_PREDICT_ROUTE, AIP_STORAGE_URI), which win. AIP_HTTP_PORT is applied to the HTTP endpoint.
/// </summary>
public sealed class VertexOptions : IValidatableObject
{
    public const string SectionName = "Vertex";

    [Required, RegularExpression("^/.*", ErrorMessage = "The health route must start with '/'.")]
    public string HealthRoute { get; set; } = "/vertex/health";

    [Required, RegularExpression("^/.*", ErrorMessage = "The predict route must start with '/'.")]
    public string PredictRoute { get; set; } = "/vertex/predict";

    /// <summary>AIP_STORAGE_URI: the model artifact's location; a local folder is the model repository.</summary>
    public string? StorageUri { get; set; }

    /// <summary>Where Cloud Storage FUSE mounts buckets: gs://bucket/path is read from here as /gcs/bucket/path.</summary>
    public string GcsMountRoot { get; set; } = "/gcs";

    /// <summary>
    /// The model predictions use (name or name:version); empty: instances with "prompt" (or plain strings) go to the
    /// default generator, instances with "text" or "content" to the default embedding model.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>The local folder of <see cref="StorageUri"/> (a gs:// URI through the FUSE mount), or null for none.</summary>
    public string? ModelRepositoryPath()
    {
        if (string.IsNullOrWhiteSpace(StorageUri))
        {
            return null;
        }
        if (StorageUri.StartsWith("gs://", StringComparison.OrdinalIgnoreCase))
        {
            return Path.Combine(GcsMountRoot, StorageUri["gs://".Length..].TrimEnd('/'));
        }
        return StorageUri.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(StorageUri).LocalPath : StorageUri;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ModelRepositoryPath() is { } path && !Directory.Exists(path))
        {
            yield return new ValidationResult(StorageUri!.StartsWith("gs://", StringComparison.OrdinalIgnoreCase)
                ? $"AIP_STORAGE_URI is '{StorageUri}', but this server reads models from a local folder and '{path}' does not exist. " +
                  "Mount the bucket with Cloud Storage FUSE under Vertex:GcsMountRoot (/gcs), copy the models into the image, " +
                  "or deploy without an artifact URI (see docs/inference.md, Vertex AI)."
                : $"AIP_STORAGE_URI is '{StorageUri}', but no such folder exists.", [nameof(StorageUri)]);
        }
    }
}
