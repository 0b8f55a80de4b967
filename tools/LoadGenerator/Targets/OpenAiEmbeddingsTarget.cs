using System.Text.Json.Nodes;

namespace MlStack.LoadGenerator.Targets;

/// <summary>POST /v1/embeddings with an array of strings; tokens are the answer's usage.prompt_tokens.</summary>
public sealed class OpenAiEmbeddingsTarget(Uri address, string? apiKey, string? model, IReadOnlyList<string> texts) : HttpTarget(address, apiKey)
{
    public override string Description => $"openai-embeddings {Address}";

    public override string TokenKind => "input";

    public override async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["input"] = Strings(texts) };
        if (model is not null) body["model"] = model;
        var answer = await PostForJsonAsync("v1/embeddings", body, cancellationToken);
        var data = Required(answer, "data").AsArray();
        if (data.Count != texts.Count) throw new BadResponseException($"{texts.Count} inputs sent, {data.Count} embeddings back");
        return RequestOutcome.Success(TokensOrZero(answer["usage"], "prompt_tokens"));
    }
}
