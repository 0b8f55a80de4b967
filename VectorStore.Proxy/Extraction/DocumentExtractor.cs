using MlStack.VectorStore.Documents;

namespace MlStack.VectorStore.Extraction;

/// <summary>A document's text by its media type: text and Markdown decoded here, PDFs read by the worker process.</summary>
public sealed class DocumentExtractor(PdfExtractionWorker pdfs)
{
    /// <exception cref="InvalidDataException">The bytes are not a readable document of that type, or passed a limit.</exception>
    public async Task<string> ExtractAsync(ReadOnlyMemory<byte> content, string mediaType, CancellationToken ct) =>
        mediaType == DocumentFormat.Pdf ? await pdfs.ExtractAsync(content, ct) : TextExtractor.ExtractText(content.Span);
}
