using System.Text;
using Microsoft.Extensions.Options;
using MlStack.VectorStore.Documents;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Extraction;
using Microsoft.Extensions.Logging.Abstractions;
using MlStack.VectorStore.Ingestion;

namespace MlStack.VectorStore.UnitTests.Ingestion;

public sealed class DocumentPreparerTests
{
    // Text documents only: the extractor starts a worker process for PDFs alone, and unit tests start none.
    private static readonly DocumentPreparer Preparer = new(
        Options.Create(new IngestionOptions { DefaultChunkSize = 200, DefaultChunkOverlap = 20 }),
        new DocumentExtractor(new PdfExtractionWorker(Options.Create(new ExtractionOptions()), NullLogger<PdfExtractionWorker>.Instance)));
    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 30).Select(i => $"Paragraph {i} says something.")));

    private static IngestCommand Command(string name = "notes.txt", byte[]? content = null, int chunkSize = 0, int overlap = 0,
        Dictionary<string, string>? metadata = null, string? contentType = null) =>
        new("docs", name, contentType, content ?? Text, chunkSize, overlap, metadata ?? []);

    [Fact]
    public async Task Defaults_apply_when_the_caller_gives_no_chunking()
    {
        var document = await Preparer.PrepareAsync(Command(), CancellationToken.None);

        Assert.Equal((200, 20, DocumentFormat.PlainText), (document.ChunkSize, document.ChunkOverlap, document.MediaType));
        Assert.True(document.Chunks.Count > 1);
        Assert.All(document.Chunks, c => Assert.Equal(document.Text[c.Start..c.End], c.Text));
    }

    [Fact]
    public async Task A_chunk_size_of_its_own_keeps_the_overlap_the_caller_gave()
    {
        var document = await Preparer.PrepareAsync(Command(chunkSize: 300), CancellationToken.None);

        Assert.Equal((300, 0), (document.ChunkSize, document.ChunkOverlap));
    }

    [Theory]
    [InlineData("", "document name is empty")]
    [InlineData("a\u0001b.txt", "control characters")]
    [InlineData("notes.txt\n", "control characters")]
    [InlineData("notes.txt ", "starts or ends with whitespace")]
    [InlineData(" notes.txt", "starts or ends with whitespace")]
    public async Task Bad_names_are_refused(string name, string message) => await AssertInvalid(Command(name), message);

    [Fact]
    public async Task Bad_chunking_metadata_and_content_are_refused()
    {
        await AssertInvalid(Command(chunkSize: 20), "chunk_size must be between 100 and 8000");
        await AssertInvalid(Command(chunkSize: 200, overlap: 150), "chunk_overlap must be between 0 and half the chunk size, 100");
        await AssertInvalid(Command(metadata: new() { ["document"] = "x" }), "metadata key 'document' is invalid");
        await AssertInvalid(Command(metadata: new() { ["$where"] = "x" }), "metadata key '$where' is invalid");
        await AssertInvalid(Command(metadata: new() { ["lang\n"] = "x" }), "metadata key is invalid");
        await AssertInvalid(Command(metadata: new() { ["lang "] = "x" }), "metadata key 'lang ' is invalid");
        var longKey = await Assert.ThrowsAsync<StoreException>(() => Preparer.PrepareAsync(Command(metadata: new() { [new string('k', 10_000)] = "x" }), CancellationToken.None));
        Assert.DoesNotContain("kkkk", longKey.Message);
        await AssertInvalid(Command(content: []), "is empty");
        await AssertInvalid(Command(name: "slides.pptx"), "unsupported document type '.pptx'");
        await AssertInvalid(Command(content: Encoding.UTF8.GetBytes(" \n ")), "contains no text");
    }

    private static async Task AssertInvalid(IngestCommand command, string message)
    {
        var ex = await Assert.ThrowsAsync<StoreException>(() => Preparer.PrepareAsync(command, CancellationToken.None));
        Assert.Equal(StoreErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(message, ex.Message);
    }
}
