using MlStack.VectorStore.Documents;

namespace MlStack.VectorStore.UnitTests.Documents;

public sealed class TextChunkerTests
{
    private static readonly string Text = string.Join("\n\n", Enumerable.Range(1, 30).Select(p =>
        string.Join(" ", Enumerable.Range(1, 5).Select(s => $"Paragraph {p} sentence {s} says something about topic {p * s}."))));

    [Theory]
    [InlineData(200, 0)]
    [InlineData(300, 60)]
    [InlineData(1000, 150)]
    public void Chunks_fit_the_size_and_their_offsets_point_at_their_text(int size, int overlap)
    {
        var chunks = TextChunker.Split(Text, size, overlap);

        Assert.NotEmpty(chunks);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(i, chunks[i].Index);
            Assert.InRange(chunks[i].Text.Length, 1, size);
            Assert.Equal(Text[chunks[i].Start..chunks[i].End], chunks[i].Text);
        }
    }

    [Fact]
    public void Chunks_cover_the_whole_text_in_order()
    {
        var chunks = TextChunker.Split(Text, 250, 50);

        Assert.Equal(0, chunks[0].Start);
        Assert.Equal(Text.TrimEnd().Length, chunks[^1].End);
        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start > chunks[i - 1].Start);
            // No gap between neighbours other than whitespace.
            Assert.True(chunks[i].Start <= chunks[i - 1].End || string.IsNullOrWhiteSpace(Text[chunks[i - 1].End..chunks[i].Start]));
        }
    }

    [Fact]
    public void Neighbours_share_whole_sentences_when_overlap_is_asked()
    {
        var chunks = TextChunker.Split(Text, 400, 120);

        var overlapping = Enumerable.Range(1, chunks.Count - 1).Count(i => chunks[i].Start < chunks[i - 1].End);
        Assert.True(overlapping >= chunks.Count / 2, $"only {overlapping} of {chunks.Count - 1} neighbours overlap");
        foreach (var chunk in chunks.Skip(1))
        {
            // Each chunk starts at a sentence start, never in the middle of a word.
            Assert.StartsWith("Paragraph", chunk.Text);
        }
    }

    [Fact]
    public void Cuts_prefer_paragraph_breaks_and_sentence_ends()
    {
        var chunks = TextChunker.Split(Text, 700, 0);

        foreach (var chunk in chunks.SkipLast(1))
        {
            Assert.EndsWith(".", chunk.Text);
            var after = chunk.End < Text.Length ? Text[chunk.End..Math.Min(Text.Length, chunk.End + 2)] : "";
            Assert.Equal("\n\n", after);
        }
    }

    [Fact]
    public void Text_without_spaces_is_cut_hard_at_the_size()
    {
        var text = new string('x', 2500);
        var chunks = TextChunker.Split(text, 1000, 0);

        Assert.Equal([1000, 1000, 500], chunks.Select(c => c.Text.Length));
        Assert.Equal(text, string.Concat(chunks.Select(c => c.Text)));
    }

    [Fact]
    public void Markdown_headings_start_new_units()
    {
        var markdown = "# Title\nIntro line without a full stop\n## Section\nBody text here.";
        var chunks = TextChunker.Split(markdown, 30, 0);

        Assert.Contains(chunks, c => c.Text.StartsWith("## Section", StringComparison.Ordinal));
    }
}
