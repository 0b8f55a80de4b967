using MlStack.Inference.V1;

namespace MlStack.LoadGenerator.Targets;

/// <summary>Embeddings/Embed: the batch of texts in one call; tokens are the tokens the model read.</summary>
public sealed class GrpcEmbedTarget(GrpcConnection connection, string? model, IReadOnlyList<string> texts) : GrpcTarget(connection)
{
    private readonly Embeddings.EmbeddingsClient _client = new(connection.Channel);

    public override string Description => $"grpc-embed {Connection.Channel.Target}";

    public override string TokenKind => "input";

    public override async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
    {
        var request = new EmbedRequest { Model = model ?? "", Texts = { texts } };
        var response = await _client.EmbedAsync(request, Connection.Call(cancellationToken));
        if (response.Embeddings.Count != texts.Count)
            throw new BadResponseException($"{texts.Count} texts sent, {response.Embeddings.Count} embeddings back");
        return RequestOutcome.Success(response.Embeddings.Sum(e => (long)e.TokenCount));
    }
}
