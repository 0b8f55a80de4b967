using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using System.Text;
using Microsoft.Extensions.Options;
using MlStack.Inference.Generation;
using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.HttpDoors.Tokenize;

/// <summary>
/// POST /tokenize and POST /detokenize as vLLM serves them, for text-generation models: users count a prompt's tokens
/// against max_model_len, and check what a chat template makes of a conversation, without generating. Chat messages are
/// rendered and encoded exactly as a chat request would be (<see cref="ChatPromptRenderer"/>), so the count is the one
/// generation would see. Failures are problem responses, as on the SageMaker and Vertex AI doors.
/// </summary>
public static class TokenizeEndpoints
{
    public static RouteGroupBuilder MapTokenize(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Tokenize").WithDoorErrors(HttpDoorErrorFilter.Problem);
        group.MapPost("/tokenize", TokenizeAsync);
        group.MapPost("/detokenize", DetokenizeAsync);
        return group;
    }

    private static async Task<IResult> TokenizeAsync(HttpContext http, GeneratorCatalog catalog, IOptions<HttpDoorOptions> options)
    {
        TokenizeRequest request;
        using (var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, http.RequestAborted))
        {
            request = TokenizeRequest.Read(body.RootElement);
        }
        var model = catalog.Resolve(request.Model.Name, request.Model.Version);
        IReadOnlyList<int> ids = request.Prompt is { } prompt
            ? model.Tokenizer.Encode(prompt, specialTokens: true, int.MaxValue, out _)
            : PromptEncoder.EncodeRendered(model, ChatPromptRenderer.Render(model, request.Messages!,
                new ChatRenderOptions(request.AddGenerationPrompt, request.Tools)));
        return new JsonBodyResult(output =>
        {
            using var json = new System.Text.Json.Utf8JsonWriter(output);
            json.WriteStartObject();
            json.WriteNumber("count", ids.Count);
            json.WriteNumber("max_model_len", model.ContextLength);
            json.WriteStartArray("tokens");
            foreach (var id in ids) json.WriteNumberValue(id);
            json.WriteEndArray();
            if (request.ReturnTokenStrings)
            {
                json.WriteStartArray("token_strs");
                foreach (var id in ids) json.WriteStringValue(TokenStrings.Of(model.Tokenizer, id));
                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("token_strs");
            }
            json.WriteEndObject();
        });
    }

    private static async Task<IResult> DetokenizeAsync(HttpContext http, GeneratorCatalog catalog, IOptions<HttpDoorOptions> options)
    {
        DetokenizeRequest request;
        using (var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, http.RequestAborted))
        {
            request = DetokenizeRequest.Read(body.RootElement);
        }
        var model = catalog.Resolve(request.Model.Name, request.Model.Version);
        // vLLM decodes with the special tokens kept: the text shows the turns a template wrote.
        var bytes = new List<byte>();
        foreach (var id in request.Tokens)
        {
            if (id >= model.Tokenizer.Count || model.Tokenizer.TokenBytes(id).IsEmpty)
            {
                throw HttpDoorException.BadRequest($"Token id {id} is not in the vocabulary of model '{model.Name}' ({model.Tokenizer.Count} ids).", "tokens");
            }
            bytes.AddRange(model.Tokenizer.TokenBytes(id).ToArray());
        }
        var text = Encoding.UTF8.GetString(bytes.ToArray());
        return new JsonBodyResult(output =>
        {
            using var json = new System.Text.Json.Utf8JsonWriter(output);
            json.WriteStartObject();
            json.WriteString("prompt", text);
            json.WriteEndObject();
        });
    }
}
