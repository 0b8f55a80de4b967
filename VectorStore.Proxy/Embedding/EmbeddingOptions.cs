using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Embedding;

public sealed class EmbeddingOptions
{
    public const string SectionName = "Embedding";

    /// <summary>Inference.Grpc's "grpc" endpoint, resolved by service discovery (config "services:inference:grpc:0").</summary>
    public static readonly Uri InferenceAddress = new("http://_grpc.inference");

    /// <summary>Texts per Embed call during ingest; progress is reported after each batch.</summary>
    [Range(1, 1024)]
    public int BatchSize { get; set; } = 32;

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 120;
}
