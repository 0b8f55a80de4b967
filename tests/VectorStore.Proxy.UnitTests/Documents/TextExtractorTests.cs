using System.Text;
using MlStack.VectorStore.Documents;
using MlStack.Testing.VectorStore;

namespace MlStack.VectorStore.UnitTests.Documents;

public sealed class TextExtractorTests
{
    private static readonly PdfLimits Limits = new(MaxPages: 100, MaxDecompressedBytes: 1 << 20, MaxNesting: 64, MaxTextChars: 1 << 20);

    [Fact]
    public void Pdf_text_is_extracted_page_by_page()
    {
        var text = PdfTextReader.Read(TestDocuments.Pdf(), Limits);

        Assert.Contains("Augustin Fresnel", text);
        Assert.Contains("satellite navigation", text);
        Assert.Contains("\n\n", text);
    }

    [Fact]
    public void The_same_pdf_text_gives_the_same_extracted_text()
    {
        Assert.Equal(
            PdfTextReader.Read(TestDocuments.Pdf(), Limits),
            PdfTextReader.Read(TestDocuments.Pdf(), Limits));
    }

    [Fact]
    public void Utf8_text_loses_its_bom_and_carriage_returns()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("a\r\nb\rc é")).ToArray();
        Assert.Equal("a\nb\nc é", TextExtractor.ExtractText(bytes));
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var ex = Assert.Throws<InvalidDataException>(() => TextExtractor.ExtractText(new byte[] { 0x61, 0xC3, 0x28 }));
        Assert.Contains("UTF-8", ex.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_pdf_is_refused()
    {
        var ex = Assert.Throws<InvalidDataException>(() => PdfTextReader.Read("just text"u8.ToArray(), Limits));
        Assert.Contains("not a readable PDF", ex.Message);
    }

    [Theory]
    [InlineData(null, "a.md", DocumentFormat.Markdown)]
    [InlineData("", "a.TXT", DocumentFormat.PlainText)]
    [InlineData("application/pdf", "whatever", DocumentFormat.Pdf)]
    [InlineData("text/markdown; charset=utf-8", "x", DocumentFormat.Markdown)]
    [InlineData("application/octet-stream", "r.pdf", DocumentFormat.Pdf)]
    [InlineData(null, "a.docx", null)]
    [InlineData("image/png", "a.md", null)]
    public void Types_resolve_from_media_type_then_extension(string? contentType, string name, string? expected) =>
        Assert.Equal(expected, DocumentFormat.Resolve(contentType, name));
}
