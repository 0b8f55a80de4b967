using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace MlStack.Testing.VectorStore;

/// <summary>The test documents: two checked-in files and a PDF built from fixed text on every run.</summary>
public static class TestDocuments
{
    public static byte[] Markdown => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "solar-power.md"));
    public static byte[] PlainText => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sourdough.txt"));

    /// <summary>A long plain-text document (300 short sections about shipping), long enough to interrupt while it is written.</summary>
    public static readonly byte[] ShippingArchive = System.Text.Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 300).Select(i =>
        $"Section {i}. The archive keeps record number {i} about shipping routes, harbour fees and cargo weights.")));

    public static readonly string[] LighthouseParagraphs =
    [
        "Lighthouses and the guiding of ships.",
        "Before electric lamps, lighthouses burned wood fires and later coal on open platforms at the top of the tower.",
        "Oil lamps with polished metal reflectors followed, and in 1822 Augustin Fresnel designed a lens of glass rings",
        "that bent the light of a single lamp into a strong horizontal beam visible more than twenty nautical miles away.",
        "Each lighthouse flashes in its own pattern, its characteristic, so that sailors can tell which coast they see.",
        "Keepers lived at the station, trimmed the wicks, wound the clockwork that turned the lens, and kept logs.",
        "Today most lighthouses are automated and monitored remotely, and satellite navigation has taken over much of their work.",
    ];

    /// <summary>A small multi-page PDF written with PdfPig's builder; the same text gives the same extracted text.</summary>
    public static byte[] Pdf() => BuildPdf(LighthouseParagraphs);

    public static byte[] BuildPdf(IReadOnlyList<string> lines)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var pageLines in lines.Chunk(4))
        {
            var page = builder.AddPage(PageSize.A4);
            var y = 780.0;
            foreach (var line in pageLines)
            {
                page.AddText(line, 9, new PdfPoint(30, y), font);
                y -= 20;
            }
        }
        return builder.Build();
    }
}
