using MlStack.LoadGenerator.Cli;

namespace MlStack.LoadGenerator.Targets;

/// <summary>The door a run loads, built from its options.</summary>
public static class TargetFactory
{
    public static ILoadTarget Create(BenchOptions options)
    {
        // Relative paths resolve under the address, so http://host:port/prefix/ keeps its prefix.
        var address = options.Url.AbsoluteUri.EndsWith('/') ? options.Url : new Uri(options.Url.AbsoluteUri + "/");
        var texts = Enumerable.Repeat(options.Text, options.Batch).ToArray();
        return options.Target switch
        {
            TargetKind.GrpcEmbed => new GrpcEmbedTarget(Grpc(options), options.Model, texts),
            TargetKind.GrpcGenerate => new GrpcGenerationTarget(Grpc(options), options.Model, options.Text, options.MaxTokens, chat: false),
            TargetKind.GrpcChat => new GrpcGenerationTarget(Grpc(options), options.Model, options.Text, options.MaxTokens, chat: true),
            TargetKind.GrpcInfer => new GrpcModelInferTarget(Grpc(options), options.Model!, options.Batch),
            TargetKind.VectorsQuery => new VectorQueryTarget(Grpc(options), options.Collection!, options.Text, options.TopK),
            TargetKind.OpenAiChat => new OpenAiChatTarget(address, options.ApiKey, options.Model, options.Text, options.MaxTokens, options.Stream),
            TargetKind.OpenAiEmbeddings => new OpenAiEmbeddingsTarget(address, options.ApiKey, options.Model, texts),
            TargetKind.SageMakerGenerate => new SageMakerTarget(address, options.ApiKey, [options.Text], options.MaxTokens, generate: true),
            TargetKind.SageMakerEmbed => new SageMakerTarget(address, options.ApiKey, texts, options.MaxTokens, generate: false),
            TargetKind.VertexGenerate => new VertexTarget(address, options.ApiKey, options.VertexRoute, [options.Text], options.MaxTokens, generate: true),
            TargetKind.VertexEmbed => new VertexTarget(address, options.ApiKey, options.VertexRoute, texts, options.MaxTokens, generate: false),
            _ => throw new UsageException($"Target {options.Target} is not supported."),
        };
    }

    private static GrpcConnection Grpc(BenchOptions options) => new(options.Url, options.ApiKey);
}
