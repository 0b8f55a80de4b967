using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace MlStack.VectorStore.Documents;

/// <summary>Turns document bytes into text. Offsets reported to callers refer to this text.</summary>
public static class TextExtractor
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <exception cref="InvalidDataException">The bytes are not a readable document of that type.</exception>
    public static string Extract(ReadOnlySpan<byte> content, string mediaType)
    {
        var text = mediaType == DocumentFormat.Pdf ? ExtractPdf(content.ToArray()) : DecodeUtf8(content);
        return text.Replace("\r\n", "\n").Replace('\r', '\n');
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith("\uFEFF"u8)) content = content[3..];
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException("the document is not valid UTF-8 text");
        }
        if (text.Contains('\0')) throw new InvalidDataException("the document contains NUL characters (binary data?)");
        return text;
    }

    private static string ExtractPdf(byte[] content)
    {
        try
        {
            using var pdf = PdfDocument.Open(content);
            var pages = new StringBuilder();
            foreach (var page in pdf.GetPages())
            {
                if (pages.Length > 0) pages.Append("\n\n");
                pages.Append(ContentOrderTextExtractor.GetText(page).Trim());
            }
            return pages.ToString();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException($"the document is not a readable PDF ({ex.GetType().Name})");
        }
    }
}
