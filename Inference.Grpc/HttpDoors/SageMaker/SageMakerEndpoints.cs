using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using MlStack.Inference.Embeddings;
using MlStack.Inference.HttpDoors;
using MlStack.Inference.Repository;
using MlStack.Inference.Tensors;

namespace MlStack.Inference.HttpDoors.SageMaker;

/// <summary>
/// The SageMaker real-time endpoint contract: GET /ping (200 only when every model is loaded) and POST /invocations
/// with the bodies SageMaker users send: Hugging Face style {"inputs": "...", "parameters": {...}} for generation,
/// {"inputs": [...]} for an embedding model, and Open Inference Protocol JSON. JSON in, JSON out: another
/// Content-Type is 415, an Accept that excludes JSON is 406.
/// </summary>
public static class SageMakerEndpoints
{
    public const string PingPath = "/ping";
    public const string InvocationsPath = "/invocations";

    /// <summary>SageMaker's multi-model header; here it names the model (name or name:version) and wins over SageMaker:Model.</summary>
    public const string TargetModelHeader = "X-Amzn-SageMaker-Target-Model";

    /// <summary>The health route (left open by authentication) and the invocations group.</summary>
    public static (RouteHandlerBuilder Ping, RouteGroupBuilder Invocations) MapSageMaker(this IEndpointRouteBuilder routes)
    {
        var ping = routes.MapGet(PingPath, (ModelRepository repository) =>
            repository.IsReady ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable)).WithTags("SageMaker");
        var invocations = routes.MapGroup(InvocationsPath).WithTags("SageMaker").WithDoorErrors(HttpDoorErrorFilter.Problem);
        invocations.MapPost("", InvokeAsync);
        return (ping, invocations);
    }

    private static async Task<IResult> InvokeAsync(HttpContext http, TextPredictor predictor, TensorInferencer inferencer,
        IOptions<SageMakerOptions> sageMaker, IOptions<HttpDoorOptions> limits)
    {
        if (!JsonBody.AcceptsJson(http.Request.Headers.Accept))
        {
            throw new HttpDoorException(StatusCodes.Status406NotAcceptable,
                $"Accept is '{http.Request.Headers.Accept}'; /invocations answers application/json.");
        }
        using var document = await JsonBody.ReadAsync(http.Request, limits.Value.MaxRequestBodyBytes, http.RequestAborted);
        var body = JsonFields.RequireObject(document.RootElement);
        var target = http.Request.Headers[TargetModelHeader].ToString();
        var model = ModelReference.Parse(target.Length > 0 ? target : sageMaker.Value.Model);
        var aborted = http.RequestAborted;
        if (OpenInferenceJson.Matches(body))
        {
            return await OpenInferenceAsync(body, model, predictor, inferencer, aborted);
        }
        var inputs = body.Get("inputs") ?? throw HttpDoorException.BadRequest(
            "'inputs' is required: a string to continue, an array of strings to embed, or Open Inference Protocol inputs.", "inputs");
        var texts = body.StringOrStrings("inputs")!;
        var parameters = body.Get("parameters");
        var unnamed = inputs.ValueKind == JsonValueKind.String ? TextPredictor.Kind.Generation : TextPredictor.Kind.Embedding;
        if (predictor.KindOf(model, unnamed) == TextPredictor.Kind.Embedding)
        {
            var embedded = await predictor.EmbedAsync(model, texts, Normalize(parameters), aborted);
            return Json(json => WriteVectors(json, embedded));
        }
        var generated = await predictor.GenerateAsync(model, texts, GenerationParameterReader.Read(parameters), aborted);
        // Hugging Face's return_full_text; off by default, as in TGI.
        var fullText = parameters?.Boolean("return_full_text") ?? false;
        return Json(json =>
        {
            json.WriteStartArray();
            for (var i = 0; i < generated.Count; i++)
            {
                json.WriteStartObject();
                json.WriteString("generated_text", fullText ? texts[i] + generated[i].Text : generated[i].Text);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    /// <summary>
    /// Tensors run through ModelInfer's path on the named model. A request whose inputs are all BYTES goes to a text
    /// model instead (the default embedding model when none is named): "embeddings" FP32 [n, dims] or
    /// "generated_text" BYTES [n].
    /// </summary>
    private static async Task<IResult> OpenInferenceAsync(JsonElement body, ModelReference model, TextPredictor predictor,
        TensorInferencer inferencer, CancellationToken aborted)
    {
        var texts = OpenInferenceJson.Texts(body);
        var id = body.String("id"); // read now: the body's document is gone when the answer is written
        if (texts is not null && predictor.ServesTexts(model))
        {
            if (predictor.KindOf(model, TextPredictor.Kind.Embedding) == TextPredictor.Kind.Embedding)
            {
                var embedded = await predictor.EmbedAsync(model, texts, Normalize(body.Get("parameters")), aborted);
                return Json(json => WriteOpenInferenceAnswer(json, embedded.Model, embedded.Version, id, w =>
                    OpenInferenceJson.WriteTensor(w, "embeddings", "FP32", [embedded.Embeddings.Count, embedded.Dimensions], data =>
                    {
                        foreach (var vector in embedded.Embeddings)
                            foreach (var value in vector.Vector) data.WriteNumberValue(value);
                    })));
            }
            var generated = await predictor.GenerateAsync(model, texts, GenerationParameterReader.Read(body.Get("parameters")), aborted);
            return Json(json => WriteOpenInferenceAnswer(json, model.Name, model.Version ?? "", id, w =>
                OpenInferenceJson.WriteTensor(w, "generated_text", "BYTES", [generated.Count], data =>
                {
                    foreach (var text in generated) data.WriteStringValue(text.Text);
                })));
        }
        if (model.IsEmpty)
        {
            throw HttpDoorException.BadRequest($"Open Inference Protocol tensors need a model: send {TargetModelHeader} or set SageMaker:Model (name or name:version).");
        }
        var response = await inferencer.InferAsync(OpenInferenceJson.ToRequest(body, model), DateTime.MaxValue, aborted);
        return new JsonBodyResult(output => OpenInferenceJson.WriteResponse(output, response));
    }

    private static void WriteOpenInferenceAnswer(Utf8JsonWriter json, string model, string version, string? id, Action<Utf8JsonWriter> writeOutput)
    {
        json.WriteStartObject();
        json.WriteString("model_name", model);
        json.WriteString("model_version", version);
        if (!string.IsNullOrEmpty(id)) json.WriteString("id", id);
        json.WriteStartArray("outputs");
        writeOutput(json);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>One vector per input, as Hugging Face's feature-extraction answers for sentence embeddings.</summary>
    private static void WriteVectors(Utf8JsonWriter json, EmbeddingResult result)
    {
        json.WriteStartArray();
        foreach (var embedding in result.Embeddings)
        {
            json.WriteStartArray();
            foreach (var value in embedding.Vector) json.WriteNumberValue(value);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    /// <summary>Vectors have length 1 unless parameters.normalize is false (sentence-transformers' default).</summary>
    private static bool Normalize(JsonElement? parameters) => parameters?.Boolean("normalize") ?? true;

    private static IResult Json(Action<Utf8JsonWriter> write) => new JsonBodyResult(output =>
    {
        using var json = new Utf8JsonWriter(output);
        write(json);
    });
}
