namespace MlStack.VectorStore.Documents;

/// <summary>The document types ingest accepts, by media type or file extension.</summary>
public static class DocumentFormat
{
    public const string PlainText = "text/plain";
    public const string Markdown = "text/markdown";
    public const string Pdf = "application/pdf";

    public static readonly IReadOnlyList<string> Supported = [PlainText, Markdown, Pdf];

    /// <summary>The canonical media type, or null when the type (or, if none is given, the extension) is unsupported.</summary>
    public static string? Resolve(string? contentType, string documentName)
    {
        if (!string.IsNullOrWhiteSpace(contentType))
        {
            var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
            return mediaType switch
            {
                PlainText => PlainText,
                Markdown or "text/x-markdown" => Markdown,
                Pdf => Pdf,
                // Generic types say nothing; fall back to the name.
                "application/octet-stream" => FromExtension(documentName),
                _ => null,
            };
        }
        return FromExtension(documentName);
    }

    private static string? FromExtension(string documentName) =>
        Path.GetExtension(documentName).ToLowerInvariant() switch
        {
            ".txt" or ".text" => PlainText,
            ".md" or ".markdown" => Markdown,
            ".pdf" => Pdf,
            _ => null,
        };
}
