using System.Text.Json.Nodes;

namespace MlStack.LoadGenerator.Targets;

/// <summary>
/// SageMaker's POST /invocations in the Hugging Face shapes: `{"inputs": "...", "parameters": {...}}` answered with
/// `[{"generated_text": ...}]`, or `{"inputs": [...]}` for an embedding model. The contract reports no token counts.
/// </summary>
public sealed class SageMakerTarget(Uri address, string? apiKey, IReadOnlyList<string> texts, int maxTokens, bool generate) : HttpTarget(address, apiKey)
{
    public override string Description => $"{(generate ? "sagemaker-generate" : "sagemaker-embed")} {Address}";

    public override string TokenKind => "none";

    public override async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
    {
        JsonNode body = generate
            ? new JsonObject { ["inputs"] = texts[0], ["parameters"] = new JsonObject { ["max_new_tokens"] = maxTokens } }
            : new JsonObject { ["inputs"] = Strings(texts) };
        var answer = await PostForJsonAsync("invocations", body, cancellationToken);
        if (generate) Required(answer.AsArray().FirstOrDefault(), "generated_text");
        else if (answer is not JsonArray { Count: > 0 } && answer is not JsonObject) throw new BadResponseException("the answer holds no embeddings");
        return RequestOutcome.Success(0);
    }
}
