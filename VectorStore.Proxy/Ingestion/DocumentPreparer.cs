using Microsoft.Extensions.Options;
using MlStack.VectorStore.Documents;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.Ingestion;

/// <summary>A document ready to write: its media type, extracted text, chunks and the chunking that made them.</summary>
public sealed record PreparedDocument(string MediaType, string Text, IReadOnlyList<TextChunk> Chunks, int ChunkSize, int ChunkOverlap);

/// <summary>
/// Checks an ingest command against the limits, extracts the text and cuts it into chunks, calling no other service,
/// so a bad document is refused before anything is written.
/// </summary>
public sealed class DocumentPreparer(IOptions<IngestionOptions> options)
{
    private const int MaxNameLength = 512;
    private const int MaxMetadataEntries = 32;
    private const int MaxMetadataKeyLength = 64;
    private const int MaxMetadataValueLength = 1024;

    /// <exception cref="StoreException">INVALID_ARGUMENT saying what is wrong with the document.</exception>
    public PreparedDocument Prepare(IngestCommand command)
    {
        var limits = options.Value;
        ValidateName(command.DocumentName);
        var chunkSize = command.ChunkSize == 0 ? limits.DefaultChunkSize : command.ChunkSize;
        var overlap = command.ChunkSize == 0 && command.ChunkOverlap == 0 ? limits.DefaultChunkOverlap : command.ChunkOverlap;
        if (chunkSize < limits.MinChunkSize || chunkSize > limits.MaxChunkSize)
            throw StoreException.Invalid($"chunk_size must be between {limits.MinChunkSize} and {limits.MaxChunkSize} characters (got {chunkSize})");
        if (overlap < 0 || overlap > chunkSize / 2)
            throw StoreException.Invalid($"chunk_overlap must be between 0 and half the chunk size, {chunkSize / 2} (got {overlap})");
        ValidateMetadata(command.Metadata);
        if (command.Content.Length == 0) throw StoreException.Invalid($"document '{command.DocumentName}' is empty");
        if (command.Content.Length > limits.MaxDocumentBytes)
            throw StoreException.Invalid($"document '{command.DocumentName}' is {command.Content.Length} bytes; the limit is {limits.MaxDocumentBytes}");
        var mediaType = DocumentFormat.Resolve(command.ContentType, command.DocumentName)
            ?? throw StoreException.Invalid(
                $"unsupported document type '{(string.IsNullOrWhiteSpace(command.ContentType) ? Path.GetExtension(command.DocumentName) : command.ContentType)}' " +
                $"for '{command.DocumentName}'; supported: {string.Join(", ", DocumentFormat.Supported)} (.txt, .md, .pdf)");

        string text;
        try
        {
            text = TextExtractor.Extract(command.Content.Span, mediaType);
        }
        catch (InvalidDataException ex)
        {
            throw StoreException.Invalid($"document '{command.DocumentName}': {ex.Message}");
        }
        if (string.IsNullOrWhiteSpace(text)) throw StoreException.Invalid($"document '{command.DocumentName}' contains no text");

        var chunks = TextChunker.Split(text, chunkSize, overlap);
        if (chunks.Count > limits.MaxChunksPerDocument)
            throw StoreException.Invalid($"document '{command.DocumentName}' makes {chunks.Count} chunks; the limit is {limits.MaxChunksPerDocument} (use a larger chunk_size)");
        return new PreparedDocument(mediaType, text, chunks, chunkSize, overlap);
    }

    /// <exception cref="StoreException">INVALID_ARGUMENT saying what is wrong with the name.</exception>
    public static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw StoreException.Invalid("document name is empty");
        if (name.Length > MaxNameLength) throw StoreException.Invalid($"document name is longer than {MaxNameLength} characters");
        if (name.Any(char.IsControl)) throw StoreException.Invalid("document name contains control characters");
    }

    private static void ValidateMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count > MaxMetadataEntries) throw StoreException.Invalid($"at most {MaxMetadataEntries} metadata entries per document");
        foreach (var (k, v) in metadata)
        {
            if (string.IsNullOrWhiteSpace(k) || k.Length > MaxMetadataKeyLength || k.StartsWith('$') || k == RecordKeys.DocumentFilterKey)
                throw StoreException.Invalid(
                    $"metadata key '{k}' is invalid: 1-{MaxMetadataKeyLength} characters, not starting with '$', not '{RecordKeys.DocumentFilterKey}'");
            if (v.Length > MaxMetadataValueLength) throw StoreException.Invalid($"metadata value of '{k}' is longer than {MaxMetadataValueLength} characters");
        }
    }
}
