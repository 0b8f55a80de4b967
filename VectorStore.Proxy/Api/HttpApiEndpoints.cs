using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using MlStack.VectorStore.Collections;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Ingestion;
using MlStack.VectorStore.Search;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;

namespace MlStack.VectorStore.Api;

public sealed record CreateCollectionBody(string? Name, string? EmbeddingModel);

public sealed record QueryBody(string? Text, int? K, JsonElement? Filter, string? EmbeddingModel);

/// <summary>
/// The HTTP JSON API for browsers and scripts, under /v1. Ingest takes the raw document as the request body
/// (Content-Type says its type) and answers with the final progress record; with "Accept: application/x-ndjson"
/// it streams every progress record as one JSON line.
/// </summary>
public static class HttpApiEndpoints
{
    public const string NdJson = "application/x-ndjson";

    public static RouteGroupBuilder MapVectorStoreHttpApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/v1/collections");

        api.MapGet("/", async (CollectionCatalog collections, CancellationToken ct) => Results.Ok(await collections.ListAsync(ct)));

        api.MapPost("/", async (CreateCollectionBody body, CollectionCatalog collections, CancellationToken ct) =>
        {
            var created = await collections.CreateAsync(body.Name ?? "", body.EmbeddingModel, ct);
            return Results.Created($"/v1/collections/{created.Name}", created);
        });

        api.MapGet("/{collection}", async (string collection, CollectionCatalog collections, CancellationToken ct) =>
            Results.Ok(await collections.GetAsync(collection, ct)));

        api.MapDelete("/{collection}", async (string collection, CollectionCatalog collections, CancellationToken ct) =>
        {
            await collections.DeleteAsync(collection, ct);
            return Results.NoContent();
        });

        api.MapGet("/{collection}/documents", async (string collection, DocumentIngestor documents, CancellationToken ct) =>
            Results.Ok(await documents.ListAsync(collection, ct)));

        api.MapPut("/{collection}/documents/{**name}", IngestAsync);

        api.MapDelete("/{collection}/documents/{**name}", async (string collection, string name, DocumentIngestor documents, CancellationToken ct) =>
            Results.Ok(new { chunksRemoved = await documents.DeleteAsync(collection, name, ct) }));

        api.MapPost("/{collection}/query", async (string collection, QueryBody body, SemanticSearch search, CancellationToken ct) =>
        {
            var filter = body.Filter is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } f ? f.GetRawText() : null;
            return Results.Ok(await search.QueryAsync(new QueryCommand(collection, body.Text ?? "", body.K ?? 0, filter, body.EmbeddingModel), ct));
        });

        return api;
    }

    private static async Task IngestAsync(
        HttpContext http, string collection, string name, DocumentIngestor documents, IOptions<IngestionOptions> options,
        [FromQuery] int? chunkSize, [FromQuery] int? chunkOverlap, CancellationToken ct)
    {
        var limit = options.Value.MaxDocumentBytes;
        if (http.Request.ContentLength > limit)
            throw StoreException.Invalid($"document '{name}' is {http.Request.ContentLength} bytes; the limit is {limit}");
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) throw StoreException.Invalid($"document '{name}' is larger than the limit of {limit} bytes");
            buffer.Write(chunk, 0, read);
        }

        // Metadata travels as query parameters "meta.<key>=<value>".
        var metadata = http.Request.Query
            .Where(q => q.Key.StartsWith("meta.", StringComparison.Ordinal))
            .ToDictionary(q => q.Key["meta.".Length..], q => q.Value.ToString(), StringComparer.Ordinal);
        var command = new IngestCommand(collection, name, http.Request.ContentType, buffer.ToArray(),
            chunkSize ?? 0, chunkOverlap ?? 0, metadata);

        var streaming = http.Request.Headers.Accept.ToString().Contains(NdJson, StringComparison.OrdinalIgnoreCase);
        if (!streaming)
        {
            var result = await documents.IngestAsync(command, _ => Task.CompletedTask, ct);
            await http.Response.WriteAsJsonAsync(result, ct);
            return;
        }

        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var started = false;
        try
        {
            await documents.IngestAsync(command, async update =>
            {
                if (!started)
                {
                    http.Response.ContentType = NdJson;
                    started = true;
                }
                await WriteLineAsync(http, update, json, ct);
            }, ct);
        }
        catch (Exception ex) when (started && MappedError.From(ex) is { } error)
        {
            // The status line is gone; the last line carries the problem instead.
            await WriteLineAsync(http, new { error = new { status = error.HttpStatus, title = error.Title, detail = error.Detail } }, json, ct);
        }
    }

    private static async Task WriteLineAsync<T>(HttpContext http, T value, JsonSerializerOptions json, CancellationToken ct)
    {
        await http.Response.WriteAsync(JsonSerializer.Serialize(value, json) + "\n", Encoding.UTF8, ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
