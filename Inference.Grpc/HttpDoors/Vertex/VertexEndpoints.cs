using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using MlStack.Inference.HttpDoors;
using MlStack.Inference.Repository;

namespace MlStack.Inference.HttpDoors.Vertex;

/// <summary>
/// The Vertex AI custom container contract: the health route (200 only when every model is loaded) and the predict
/// route, both where AIP_HEALTH_ROUTE and AIP_PREDICT_ROUTE say. {"instances": [...], "parameters": {...}} is answered
/// with {"predictions": [...]}, one per instance: instances are strings or objects with "prompt" (generation) or
/// "text" / "content" (embeddings).
/// </summary>
public static class VertexEndpoints
{
    /// <summary>The health route (left open by authentication; null when it is the service's own /health) and the predict group.</summary>
    public static (RouteHandlerBuilder? Health, RouteGroupBuilder Predict) MapVertex(this IEndpointRouteBuilder routes)
    {
        var options = routes.ServiceProvider.GetRequiredService<IOptions<VertexOptions>>().Value;
        RouteHandlerBuilder? health = null;
        // AIP_HEALTH_ROUTE=/health is common: the service's readiness check already answers there, with the same meaning.
        if (!string.Equals(options.HealthRoute, ServiceDefaultsExtensions.HealthPath, StringComparison.OrdinalIgnoreCase))
        {
            health = routes.MapGet(options.HealthRoute, (ModelRepository repository) =>
                repository.IsReady ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable)).WithTags("Vertex");
        }
        var predict = routes.MapGroup(options.PredictRoute).WithTags("Vertex").WithDoorErrors(HttpDoorErrorFilter.Problem);
        predict.MapPost("", PredictAsync);
        return (health, predict);
    }

    private static async Task<IResult> PredictAsync(HttpContext http, TextPredictor predictor, IOptions<VertexOptions> vertex,
        IOptions<HttpDoorOptions> limits)
    {
        if (!JsonBody.AcceptsJson(http.Request.Headers.Accept))
        {
            throw new HttpDoorException(StatusCodes.Status406NotAcceptable, $"Accept is '{http.Request.Headers.Accept}'; predictions are application/json.");
        }
        using var document = await JsonBody.ReadAsync(http.Request, limits.Value.MaxRequestBodyBytes, http.RequestAborted);
        var body = JsonFields.RequireObject(document.RootElement);
        if (body.Get("instances") is not { ValueKind: JsonValueKind.Array } instances || instances.GetArrayLength() == 0)
        {
            throw HttpDoorException.BadRequest("'instances' is required: a non-empty array of strings or of objects with 'prompt' or 'text'.", "instances");
        }
        var read = instances.EnumerateArray().Select(ReadInstance).ToList();
        if (read.Select(i => i.Kind).Distinct().Count() > 1)
        {
            throw HttpDoorException.BadRequest("The instances mix prompts and texts to embed; send one kind per request.", "instances");
        }
        var texts = read.Select(i => i.Text).ToList();
        var parameters = body.Get("parameters");
        var model = ModelReference.Parse(vertex.Value.Model);
        if (predictor.KindOf(model, read[0].Kind) == TextPredictor.Kind.Embedding)
        {
            var embedded = await predictor.EmbedAsync(model, texts, parameters?.Boolean("normalize") ?? true, http.RequestAborted);
            return Predictions(json =>
            {
                foreach (var embedding in embedded.Embeddings)
                {
                    // The shape of Vertex AI's own text embedding models.
                    json.WriteStartObject();
                    json.WriteStartObject("embeddings");
                    json.WriteStartArray("values");
                    foreach (var value in embedding.Vector) json.WriteNumberValue(value);
                    json.WriteEndArray();
                    json.WriteStartObject("statistics");
                    json.WriteNumber("token_count", embedding.TokenCount);
                    json.WriteBoolean("truncated", embedding.Truncated);
                    json.WriteEndObject();
                    json.WriteEndObject();
                    json.WriteEndObject();
                }
            });
        }
        var generated = await predictor.GenerateAsync(model, texts, GenerationParameterReader.Read(parameters), http.RequestAborted);
        return Predictions(json =>
        {
            foreach (var text in generated)
            {
                json.WriteStartObject();
                json.WriteString("generated_text", text.Text);
                json.WriteString("finish_reason", text.Result.FinishReason);
                json.WriteNumber("prompt_tokens", text.Result.PromptTokens);
                json.WriteNumber("completion_tokens", text.Result.CompletionTokens);
                json.WriteNumber("cached_prompt_tokens", text.Result.CachedPromptTokens);
                json.WriteEndObject();
            }
        });
    }

    /// <summary>A string or {"prompt": ...} is a prompt; {"text": ...} or {"content": ...} a text to embed.</summary>
    public static (string Text, TextPredictor.Kind Kind) ReadInstance(JsonElement instance)
    {
        if (instance.ValueKind == JsonValueKind.String)
        {
            return (instance.GetString()!, TextPredictor.Kind.Generation);
        }
        if (instance.ValueKind == JsonValueKind.Object)
        {
            if (instance.String("prompt") is { } prompt) return (prompt, TextPredictor.Kind.Generation);
            if ((instance.String("text") ?? instance.String("content")) is { } text) return (text, TextPredictor.Kind.Embedding);
        }
        throw HttpDoorException.BadRequest("Each instance must be a string or an object with a 'prompt' or 'text' string.", "instances");
    }

    private static IResult Predictions(Action<Utf8JsonWriter> writePredictions) => new JsonBodyResult(output =>
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteStartArray("predictions");
        writePredictions(json);
        json.WriteEndArray();
        json.WriteEndObject();
    });
}
