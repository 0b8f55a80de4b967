using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;

namespace MlStack.Inference.HttpDoors;

/// <summary>
/// Reads a door's JSON request body: 415 unless it is JSON, 413 past the size limit (before reading when
/// Content-Length says so, else as soon as the limit is crossed), 400 when it is not well-formed JSON.
/// </summary>
public static class JsonBody
{
    public static async Task<JsonDocument> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            throw new HttpDoorException(StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type '{request.ContentType}' is not supported; send application/json.");
        }
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }
        try
        {
            return await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit);
        }
    }

    /// <summary>application/json or any +json type; a charset parameter is fine.</summary>
    public static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type) && type.MediaType is { } media
        && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the Accept header (absent, */*, application/*, application/json) lets the answer be JSON.</summary>
    public static bool AcceptsJson(string? accept)
    {
        if (string.IsNullOrWhiteSpace(accept))
        {
            return true;
        }
        foreach (var part in accept.Split(','))
        {
            if (!MediaTypeWithQualityHeaderValue.TryParse(part.Trim(), out var type) || type.Quality == 0)
            {
                continue;
            }
            if (type.MediaType is "*/*" or "application/*" || IsJson(type.MediaType))
            {
                return true;
            }
        }
        return false;
    }

    private static HttpDoorException TooLarge(long limit) => new(StatusCodes.Status413PayloadTooLarge,
        $"The request body is larger than {limit} bytes (HttpDoors:MaxRequestBodyBytes).");
}
