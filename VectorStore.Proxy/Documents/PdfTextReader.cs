using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace MlStack.VectorStore.Documents;

/// <summary>
/// The text of a PDF, page by page, within <see cref="PdfLimits"/>: pages counted before any is read, stream bytes
/// budgeted (<see cref="BoundedFilterProvider"/>), object nesting bounded by PdfPig's stack-depth guard, and text
/// length checked page by page. The proxy runs it only inside its extraction worker process, since a guard missed in
/// a parser must not cost more than that process.
/// </summary>
public static class PdfTextReader
{
    /// <exception cref="PdfLimitException">A limit would be passed; the message says which.</exception>
    /// <exception cref="InvalidDataException">The bytes are not a readable PDF.</exception>
    public static string Read(byte[] pdf, PdfLimits limits, CancellationToken ct = default)
    {
        var filters = new BoundedFilterProvider(limits.MaxDecompressedBytes);
        try
        {
            using var document = PdfDocument.Open(pdf, new ParsingOptions
            {
                FilterProvider = filters,
                MaxStackDepth = limits.MaxNesting,
                SkipMissingFonts = true,
            });
            if (document.NumberOfPages > limits.MaxPages)
                throw new PdfLimitException($"the PDF has {document.NumberOfPages} pages; the limit is {limits.MaxPages}");
            var text = new StringBuilder();
            for (var number = 1; number <= document.NumberOfPages; number++)
            {
                ct.ThrowIfCancellationRequested();
                if (text.Length > 0) text.Append("\n\n");
                text.Append(ContentOrderTextExtractor.GetText(document.GetPage(number)).Trim());
                if (text.Length > limits.MaxTextChars)
                    throw new PdfLimitException($"the PDF's text is longer than {limits.MaxTextChars} characters (the limit)");
            }
            // Lenient parsing may have skipped a stream the budget refused; the document is refused all the same.
            if (filters.Exceeded)
                throw new PdfLimitException($"the PDF's streams decompress to more than {limits.MaxDecompressedBytes} bytes (the limit)");
            return TextExtractor.NormalizeLineEnds(text.ToString());
        }
        catch (PdfLimitException)
        {
            throw;
        }
        catch (Exception) when (filters.Exceeded)
        {
            throw new PdfLimitException($"the PDF's streams decompress to more than {limits.MaxDecompressedBytes} bytes (the limit)");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            // The parser's own wording names its internals; the caller learns only that the file is not a PDF we can read.
            throw new InvalidDataException("the document is not a readable PDF", ex);
        }
    }
}
