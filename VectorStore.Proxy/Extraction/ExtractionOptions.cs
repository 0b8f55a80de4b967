using System.ComponentModel.DataAnnotations;
using MlStack.VectorStore.Documents;

namespace MlStack.VectorStore.Extraction;

/// <summary>Limits of reading a PDF, which happens in a worker process of its own (<see cref="PdfExtractionWorker"/>).</summary>
public sealed class ExtractionOptions
{
    public const string SectionName = "VectorStore";

    /// <summary>Most pages a PDF may have; counted before any page is read.</summary>
    [Range(1, 100_000)]
    public int MaxPdfPages { get; set; } = 2000;

    /// <summary>Most bytes all of a PDF's streams may decompress to, together.</summary>
    [Range(1024, 4L * 1024 * 1024 * 1024)]
    public long MaxPdfDecompressedBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Deepest nesting of PDF objects (arrays, dictionaries, forms) the parser follows.</summary>
    [Range(8, 10_000)]
    public int MaxPdfNesting { get; set; } = 256;

    /// <summary>Most characters of text one document may yield.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxExtractedChars { get; set; } = 32 * 1024 * 1024;

    /// <summary>Wall-clock limit of one extraction, the worker's start included.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan ExtractionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The worker's managed heap limit (GC hard limit): what a file that escapes every other guard can take.</summary>
    [Range(32L * 1024 * 1024, 64L * 1024 * 1024 * 1024)]
    public long ExtractionWorkerMemoryBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Workers running at once; further extractions wait (and honour cancellation while they wait).</summary>
    [Range(1, 64)]
    public int MaxConcurrentExtractions { get; set; } = 2;

    public PdfLimits PdfLimits => new(MaxPdfPages, MaxPdfDecompressedBytes, MaxPdfNesting, MaxExtractedChars);
}
