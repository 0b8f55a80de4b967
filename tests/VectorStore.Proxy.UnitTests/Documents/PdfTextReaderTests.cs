using MlStack.Testing.VectorStore;
using MlStack.VectorStore.Documents;

namespace MlStack.VectorStore.UnitTests.Documents;

/// <summary>
/// The in-process guards of PDF reading, on files whose hostile part a guard meets before any memory is taken. Files
/// that could take a process down (deep nesting) are read only through the worker process, in the integration tests.
/// </summary>
public sealed class PdfTextReaderTests
{
    private static readonly PdfLimits Limits = new(MaxPages: 5, MaxDecompressedBytes: 4 << 20, MaxNesting: 64, MaxTextChars: 10_000);

    [Fact]
    public void A_generated_pdf_reads_page_by_page()
    {
        var text = PdfTextReader.Read(HostilePdfs.Pages(["First page.", "Second page."]), Limits);
        Assert.Equal("First page.\n\nSecond page.", text);
    }

    [Fact]
    public void Pages_are_counted_before_any_is_read()
    {
        var ex = Assert.Throws<PdfLimitException>(() => PdfTextReader.Read(HostilePdfs.Pages(Enumerable.Range(0, 6).Select(i => $"Page {i}.").ToList()), Limits));
        Assert.Equal("the PDF has 6 pages; the limit is 5", ex.Message);
    }

    [Fact]
    public void A_flate_bomb_is_refused_before_it_is_inflated()
    {
        var bomb = HostilePdfs.FlateBomb(inflatedBytes: 64L << 20);
        Assert.True(bomb.Length < 200_000, $"the bomb is {bomb.Length} bytes");

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var ex = Assert.Throws<PdfLimitException>(() => PdfTextReader.Read(bomb, Limits));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains($"decompress to more than {4 << 20} bytes", ex.Message);
        // Counting inflates into a small scratch buffer: far less is allocated than the bomb would inflate to.
        Assert.True(allocated < 32L << 20, $"{allocated} bytes allocated");
    }

    [Fact]
    public void Text_longer_than_the_limit_is_refused()
    {
        var pages = Enumerable.Range(0, 4).Select(i => $"Page {i} " + new string('x', 3000)).ToList();
        var ex = Assert.Throws<PdfLimitException>(() => PdfTextReader.Read(HostilePdfs.Pages(pages), Limits));
        Assert.Contains("longer than 10000 characters", ex.Message);
    }

    [Fact]
    public void A_stream_within_the_budget_reads()
    {
        var text = PdfTextReader.Read(HostilePdfs.FlateBomb(inflatedBytes: 1 << 20, text: "Compressed but honest."), Limits);
        Assert.Equal("Compressed but honest.", text);
    }
}
