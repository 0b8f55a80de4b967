using MlStack.VectorStore.V1;

namespace MlStack.LoadGenerator.Targets;

/// <summary>VectorStore/Query: the k nearest chunks of one collection; the API key travels as `authorization: Bearer`.</summary>
public sealed class VectorQueryTarget(GrpcConnection connection, string collection, string text, int k) : GrpcTarget(connection)
{
    private readonly VectorStore.V1.VectorStore.VectorStoreClient _client = new(connection.Channel);

    public override string Description => $"vectors-query {collection} {Connection.Channel.Target}";

    public override string TokenKind => "none";

    public override async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
    {
        await _client.QueryAsync(new QueryRequest { Collection = collection, Text = text, K = k }, Connection.Call(cancellationToken));
        return RequestOutcome.Success(0);
    }
}
