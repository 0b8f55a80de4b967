namespace MlStack.LoadGenerator.Cli;

/// <summary>The doors of the stack the tool can load, as named on the command line.</summary>
public enum TargetKind
{
    GrpcEmbed,
    GrpcGenerate,
    GrpcChat,
    GrpcInfer,
    VectorsQuery,
    OpenAiChat,
    OpenAiEmbeddings,
    SageMakerGenerate,
    SageMakerEmbed,
    VertexGenerate,
    VertexEmbed,
}

public static class TargetKinds
{
    /// <summary>Command-line name, default address (the services' development ports) and what the door does.</summary>
    public static readonly IReadOnlyList<(TargetKind Kind, string Name, string DefaultUrl, string Description)> All =
    [
        (TargetKind.GrpcEmbed, "grpc-embed", "http://localhost:5181", "gRPC Embeddings/Embed"),
        (TargetKind.GrpcGenerate, "grpc-generate", "http://localhost:5181", "gRPC TextGeneration/Generate (streamed)"),
        (TargetKind.GrpcChat, "grpc-chat", "http://localhost:5181", "gRPC TextGeneration/Chat (streamed)"),
        (TargetKind.GrpcInfer, "grpc-infer", "http://localhost:5181", "gRPC Open Inference Protocol ModelInfer"),
        (TargetKind.VectorsQuery, "vectors-query", "http://localhost:5191", "gRPC VectorStore/Query"),
        (TargetKind.OpenAiChat, "openai-chat", "http://localhost:5180", "POST /v1/chat/completions (--stream for SSE)"),
        (TargetKind.OpenAiEmbeddings, "openai-embeddings", "http://localhost:5180", "POST /v1/embeddings"),
        (TargetKind.SageMakerGenerate, "sagemaker-generate", "http://localhost:8080", "POST /invocations, {\"inputs\": text}"),
        (TargetKind.SageMakerEmbed, "sagemaker-embed", "http://localhost:8080", "POST /invocations, {\"inputs\": [texts]}"),
        (TargetKind.VertexGenerate, "vertex-generate", "http://localhost:8080", "Vertex AI predict route, {\"instances\": [{prompt}]}"),
        (TargetKind.VertexEmbed, "vertex-embed", "http://localhost:8080", "Vertex AI predict route, {\"instances\": [text]}"),
    ];

    public static string Name(this TargetKind kind) => All.First(t => t.Kind == kind).Name;

    public static string DefaultUrl(this TargetKind kind) => All.First(t => t.Kind == kind).DefaultUrl;

    public static bool Generates(this TargetKind kind) =>
        kind is TargetKind.GrpcGenerate or TargetKind.GrpcChat or TargetKind.OpenAiChat or TargetKind.SageMakerGenerate or TargetKind.VertexGenerate;

    public static TargetKind? Parse(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } found ? found.Kind : null;
}
