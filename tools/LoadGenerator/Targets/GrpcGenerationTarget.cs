using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.LoadGenerator.Targets;

/// <summary>TextGeneration/Generate or /Chat: reads the stream to its summary, timing every token as it arrives.</summary>
public sealed class GrpcGenerationTarget(GrpcConnection connection, string? model, string text, int maxTokens, bool chat) : GrpcTarget(connection)
{
    private readonly TextGeneration.TextGenerationClient _client = new(connection.Channel);

    public override string Description => $"{(chat ? "grpc-chat" : "grpc-generate")} {Connection.Channel.Target}";

    public override string TokenKind => "generated";

    public override async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
    {
        var parameters = new GenerationParameters { MaxNewTokens = maxTokens };
        using var call = chat
            ? _client.Chat(new ChatRequest { Model = model ?? "", Messages = { new ChatMessage { Role = "user", Content = text } }, Parameters = parameters },
                Connection.Call(cancellationToken))
            : _client.Generate(new GenerateRequest { Model = model ?? "", Prompt = text, Parameters = parameters }, Connection.Call(cancellationToken));
        var clock = new TokenClock();
        GenerationSummary? summary = null;
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            clock.Arrived(message.TokenIds.Count);
            summary = message.Summary ?? summary;
        }
        if (summary is null) throw new BadResponseException("the stream ended without its summary");
        return RequestOutcome.Success(summary.Usage?.CompletionTokens ?? clock.Tokens, clock);
    }
}
