using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using MlStack.Inference.Embeddings;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.ToolCalls;
using MlStack.Inference.HttpDoors;
using MlStack.Inference.Repository;

namespace MlStack.Inference.HttpDoors.OpenAI;

/// <summary>
/// The OpenAI-compatible API under /v1, as vLLM, TGI and Ollama serve it: models, chat completions and completions
/// (plain and streamed) through the one generation entry point, embeddings through the one embedding entry point, so
/// models, sampling, admission limits and metrics are the gRPC API's.
/// </summary>
public static class OpenAIEndpoints
{
    public const string Prefix = "/v1";

    public static RouteGroupBuilder MapOpenAI(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Prefix).WithTags("OpenAI").WithDoorErrors(OpenAIJson.ErrorResult);
        group.MapGet("/models", ListModels);
        group.MapGet("/models/{**id}", GetModel);
        group.MapPost("/chat/completions", (HttpContext http, TextGenerator generator, IOptions<HttpDoorOptions> options) =>
            GenerateAsync(http, generator, options.Value, OpenAIRequestReader.ReadChat, chat: true));
        group.MapPost("/completions", (HttpContext http, TextGenerator generator, IOptions<HttpDoorOptions> options) =>
            GenerateAsync(http, generator, options.Value, OpenAIRequestReader.ReadCompletion, chat: false));
        group.MapPost("/embeddings", EmbedAsync);
        return group;
    }

    private static readonly long Started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>
    /// Each text-generation and embedding model by name, and each loaded version as name:version; a generator that
    /// takes tools says which tool-call syntax it is read with (tool_call_parser, as vLLM names them).
    /// </summary>
    private static IResult ListModels(ModelRepository repository) => new JsonBodyResult(output =>
    {
        using var json = new System.Text.Json.Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        foreach (var (id, parser) in ModelIds(repository))
        {
            WriteModel(json, id, parser);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });

    private static IResult GetModel(string id, ModelRepository repository) => ModelIds(repository).FirstOrDefault(m => m.Id == id) is { Id: not null } model
        ? new JsonBodyResult(output =>
        {
            using var json = new System.Text.Json.Utf8JsonWriter(output);
            WriteModel(json, model.Id, model.ToolCallParser);
        })
        : throw new HttpDoorException(StatusCodes.Status404NotFound, $"The model '{id}' does not exist.", "model");

    private static List<(string Id, string? ToolCallParser)> ModelIds(ModelRepository repository)
    {
        var served = repository.Loaded()
            .Where(m => m.Config.Task is ModelConfig.TextGenerationTask or ModelConfig.EmbeddingTask)
            .OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Version).ToList();
        static string? Parser(ILoadedModel m) => (m as GeneratorModel)?.ToolCalls?.Name;
        // A name stands for its newest loaded version.
        return [.. served.GroupBy(m => m.Name).Select(g => (g.Key, Parser(g.Last()))), .. served.Select(m => ($"{m.Name}:{m.VersionText}", Parser(m)))];
    }

    private static void WriteModel(System.Text.Json.Utf8JsonWriter json, string id, string? toolCallParser)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("object", "model");
        json.WriteNumber("created", Started);
        json.WriteString("owned_by", "mlstack");
        if (toolCallParser is not null) json.WriteString("tool_call_parser", toolCallParser);
        json.WriteEndObject();
    }

    private static async Task<IResult> GenerateAsync(HttpContext http, TextGenerator generator, HttpDoorOptions options,
        Func<System.Text.Json.JsonElement, OpenAIGenerationCall> read, bool chat)
    {
        OpenAIGenerationCall call;
        using (var body = await JsonBody.ReadAsync(http.Request, options.MaxRequestBodyBytes, http.RequestAborted))
        {
            call = read(body.RootElement);
        }
        using var choices = generator.StartChoices(call.Request, http.RequestAborted);
        var answer = new OpenAIJson.Answer(
            (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N"),
            chat ? (call.Stream ? OpenAIJson.ChatCompletionChunk : OpenAIJson.ChatCompletion) : OpenAIJson.TextCompletion,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            call.Model.IsEmpty ? choices.Model.Name : call.Model.ToString(),
            $"mlstack-{choices.Model.Name}-{choices.Model.VersionText}",
            chat);
        ToolCallReader?[] tools = [.. choices.Streams.Select(stream => ToolCallReader.For(stream.Model, call.Request))];
        if (call.Stream)
        {
            await OpenAIStreamWriter.WriteAsync(http.Response, choices, answer, call.IncludeUsage, call.Logprobs, http.RequestAborted, tools);
            return Results.Empty;
        }
        var whole = await Task.WhenAll(choices.Streams.Select((stream, i) => CollectAsync(stream, tools[i])));
        var parts = whole.Select((c, i) => new OpenAIJson.ChoicePart(i, c.Text, true, OpenAIJson.FinishReason(c.Result, c.Parsed),
            call.Logprobs ? c.Logprobs : null, c.Parsed?.Calls)).ToList();
        var usage = new OpenAIJson.UsageCounts(choices.PromptTokens, whole.Sum(c => c.Result.CompletionTokens), whole[0].Result.CachedPromptTokens);
        return new JsonBodyResult(output => OpenAIJson.WriteAnswer(output, answer, choices.Model.Tokenizer, parts, usage));
    }

    private sealed record CollectedChoice(string Text, GenerationResult Result, List<OpenAIJson.PlacedLogprobs> Logprobs, ParsedAnswer? Parsed);

    /// <summary>
    /// One choice's whole text, summary and logprobs (each placed where its token's text starts); with tools, its text
    /// and calls as the model family's parser reads them.
    /// </summary>
    private static async Task<CollectedChoice> CollectAsync(GenerationStream stream, ToolCallReader? tools)
    {
        var text = new System.Text.StringBuilder();
        var logprobs = new List<OpenAIJson.PlacedLogprobs>();
        GenerationResult? result = null;
        while (await stream.WaitToReadAsync())
        {
            while (stream.TryRead(out var step))
            {
                if (step.Logprobs is { } l) logprobs.Add(new(l, text.Length));
                text.Append(tools is null ? step.Text : tools.Append(step));
                result ??= step.Result;
            }
        }
        var parsed = tools?.Parse();
        return new CollectedChoice(parsed?.Content ?? text.ToString(), result!, logprobs, parsed);
    }

    private static async Task<IResult> EmbedAsync(HttpContext http, TextEmbedder embedder, IOptions<HttpDoorOptions> options)
    {
        OpenAIEmbeddingCall call;
        using (var body = await JsonBody.ReadAsync(http.Request, options.Value.MaxRequestBodyBytes, http.RequestAborted))
        {
            call = OpenAIRequestReader.ReadEmbeddings(body.RootElement);
        }
        // OpenAI's vectors have length 1, so cosine similarity is a dot product; these are normalized the same way.
        var result = await embedder.EmbedAsync(call.Model.Name, call.Model.Version, call.Input, normalize: true, DateTime.MaxValue,
            http.RequestAborted);
        if (call.Dimensions is { } dimensions && dimensions != result.Dimensions)
        {
            throw HttpDoorException.BadRequest($"'dimensions' is {dimensions}, but model '{result.Model}' makes {result.Dimensions}-dimensional vectors.",
                "dimensions");
        }
        var model = call.Model.IsEmpty ? result.Model : call.Model.ToString();
        return new JsonBodyResult(output => WriteEmbeddings(output, model, result, call.Base64));
    }

    private static void WriteEmbeddings(System.Buffers.IBufferWriter<byte> output, string model, EmbeddingResult result, bool base64)
    {
        using var json = new System.Text.Json.Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("object", "list");
        json.WriteStartArray("data");
        for (var i = 0; i < result.Embeddings.Count; i++)
        {
            json.WriteStartObject();
            json.WriteString("object", "embedding");
            json.WriteNumber("index", i);
            var vector = result.Embeddings[i].Vector;
            if (base64)
            {
                // Little-endian float32s, as OpenAI sends them (and as its .NET library asks for by default).
                json.WriteBase64String("embedding", System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan()));
            }
            else
            {
                json.WriteStartArray("embedding");
                foreach (var value in vector) json.WriteNumberValue(value);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteString("model", model);
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", result.TokenCount);
        json.WriteNumber("total_tokens", result.TokenCount);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
