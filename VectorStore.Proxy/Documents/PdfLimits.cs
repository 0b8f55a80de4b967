namespace MlStack.VectorStore.Documents;

/// <summary>What reading one PDF may cost: pages, bytes decompressed from its streams, object nesting, text.</summary>
public sealed record PdfLimits(int MaxPages, long MaxDecompressedBytes, int MaxNesting, int MaxTextChars);

/// <summary>A PDF refused because reading it would pass one of its <see cref="PdfLimits"/>; the message says which.</summary>
public sealed class PdfLimitException(string message) : Exception(message);
