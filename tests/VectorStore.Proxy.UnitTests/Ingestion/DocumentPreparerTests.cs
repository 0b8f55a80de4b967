using System.Text;
using Microsoft.Extensions.Options;
using MlStack.VectorStore.Documents;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Ingestion;

namespace MlStack.VectorStore.UnitTests.Ingestion;

public sealed class DocumentPreparerTests
{
    private static readonly DocumentPreparer Preparer = new(Options.Create(new IngestionOptions { DefaultChunkSize = 200, DefaultChunkOverlap = 20 }));
    private static readonly byte[] Text = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 30).Select(i => $"Paragraph {i} says something.")));

    private static IngestCommand Command(string name = "notes.txt", byte[]? content = null, int chunkSize = 0, int overlap = 0,
        Dictionary<string, string>? metadata = null, string? contentType = null) =>
        new("docs", name, contentType, content ?? Text, chunkSize, overlap, metadata ?? []);

    [Fact]
    public void Defaults_apply_when_the_caller_gives_no_chunking()
    {
        var document = Preparer.Prepare(Command());

        Assert.Equal((200, 20, DocumentFormat.PlainText), (document.ChunkSize, document.ChunkOverlap, document.MediaType));
        Assert.True(document.Chunks.Count > 1);
        Assert.All(document.Chunks, c => Assert.Equal(document.Text[c.Start..c.End], c.Text));
    }

    [Fact]
    public void A_chunk_size_of_its_own_keeps_the_overlap_the_caller_gave()
    {
        var document = Preparer.Prepare(Command(chunkSize: 300));

        Assert.Equal((300, 0), (document.ChunkSize, document.ChunkOverlap));
    }

    [Theory]
    [InlineData("", "document name is empty")]
    [InlineData("a\u0001b.txt", "control characters")]
    public void Bad_names_are_refused(string name, string message) => AssertInvalid(Command(name), message);

    [Fact]
    public void Bad_chunking_metadata_and_content_are_refused()
    {
        AssertInvalid(Command(chunkSize: 20), "chunk_size must be between 100 and 8000");
        AssertInvalid(Command(chunkSize: 200, overlap: 150), "chunk_overlap must be between 0 and half the chunk size, 100");
        AssertInvalid(Command(metadata: new() { ["document"] = "x" }), "metadata key 'document' is invalid");
        AssertInvalid(Command(metadata: new() { ["$where"] = "x" }), "metadata key '$where' is invalid");
        AssertInvalid(Command(content: []), "is empty");
        AssertInvalid(Command(name: "slides.pptx"), "unsupported document type '.pptx'");
        AssertInvalid(Command(content: Encoding.UTF8.GetBytes(" \n ")), "contains no text");
    }

    private static void AssertInvalid(IngestCommand command, string message)
    {
        var ex = Assert.Throws<StoreException>(() => Preparer.Prepare(command));
        Assert.Equal(StoreErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(message, ex.Message);
    }
}
