using System.Text.Json.Nodes;

namespace MlStack.LoadGenerator.Targets;

/// <summary>
/// Vertex AI's custom-container predict route: `{"instances": [...], "parameters": {...}}` answered with
/// `{"predictions": [...]}`, one prediction per instance. The contract reports no token counts.
/// </summary>
public sealed class VertexTarget(Uri address, string? apiKey, string route, IReadOnlyList<string> texts, int maxTokens, bool generate) : HttpTarget(address, apiKey)
{
    public override string Description => $"{(generate ? "vertex-generate" : "vertex-embed")} {new Uri(Address, route.TrimStart('/'))}";

    public override string TokenKind => "none";

    public override async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
    {
        var body = generate
            ? new JsonObject
            {
                ["instances"] = new JsonArray([.. texts.Select(t => (JsonNode?)new JsonObject { ["prompt"] = t })]),
                ["parameters"] = new JsonObject { ["max_new_tokens"] = maxTokens },
            }
            : new JsonObject { ["instances"] = Strings(texts) };
        var answer = await PostForJsonAsync(route, body, cancellationToken);
        var predictions = Required(answer, "predictions").AsArray();
        if (predictions.Count != texts.Count) throw new BadResponseException($"{texts.Count} instances sent, {predictions.Count} predictions back");
        return RequestOutcome.Success(0);
    }
}
