using System.Text;

namespace MlStack.VectorStore.Documents;

/// <summary>Turns plain-text and Markdown bytes into text. Offsets reported to callers refer to this text.</summary>
public static class TextExtractor
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <exception cref="InvalidDataException">The bytes are not UTF-8 text.</exception>
    public static string ExtractText(ReadOnlySpan<byte> content) => NormalizeLineEnds(DecodeUtf8(content));

    /// <summary>One line end, "\n", whatever the source used.</summary>
    public static string NormalizeLineEnds(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n');

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
}
