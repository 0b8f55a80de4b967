namespace MlStack.VectorStore.Documents;

/// <summary>
/// Splits text into chunks of at most <c>size</c> characters that share about <c>overlap</c> characters with
/// their neighbour. Cuts fall on paragraph breaks where one lies in the second half of a chunk, otherwise on
/// sentence ends, otherwise on whitespace, and only as a last resort inside a word.
/// </summary>
public static class TextChunker
{
    public static IReadOnlyList<TextChunk> Split(string text, int size, int overlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlap, size);

        var units = SplitUnits(text, size);
        var chunks = new List<TextChunk>();
        var first = 0;
        while (first < units.Count)
        {
            // Take whole units while they fit.
            var last = first;
            while (last + 1 < units.Count && units[last + 1].End - units[first].Start <= size) last++;

            // Prefer ending on a paragraph break when one lies in the second half of the chunk.
            for (var i = last; i > first; i--)
            {
                if (units[i].EndsParagraph && units[i].End - units[first].Start >= size / 2)
                {
                    last = i;
                    break;
                }
                if (units[i].End - units[first].Start < size / 2) break;
            }

            var chunk = Trimmed(text, units[first].Start, units[last].End, chunks.Count);
            if (chunk is not null) chunks.Add(chunk);
            if (last + 1 >= units.Count) break;

            // The next chunk starts at the earliest unit that still lies within the overlap window.
            var next = last + 1;
            while (next - 1 > first && units[last].End - units[next - 1].Start <= overlap) next--;
            first = next;
        }
        return chunks;
    }

    private static TextChunk? Trimmed(string text, int start, int end, int index)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        return end > start ? new TextChunk(index, start, end, text[start..end]) : null;
    }

    private readonly record struct Unit(int Start, int End, bool EndsParagraph);

    /// <summary>Sentences (with their trailing whitespace), each no longer than size.</summary>
    private static List<Unit> SplitUnits(string text, int size)
    {
        var units = new List<Unit>();
        var start = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var boundary = false;
            var paragraph = false;
            if (c == '\n')
            {
                // A blank line, a Markdown heading or list item after this line break starts a new paragraph.
                var j = i + 1;
                while (j < text.Length && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r')) j++;
                if (j >= text.Length || text[j] == '\n' || text[j] == '#' || IsListMarker(text, j))
                {
                    boundary = paragraph = true;
                }
            }
            else if ((c is '.' or '!' or '?' or ';' or '\u3002') && (i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1])))
            {
                boundary = true;
            }

            i++;
            if (boundary)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    if (text[i] == '\n' && i + 1 < text.Length && text[i + 1] == '\n') paragraph = true;
                    i++;
                }
                AddUnit(units, text, start, i, paragraph, size);
                start = i;
            }
        }
        if (start < text.Length) AddUnit(units, text, start, text.Length, true, size);
        return units;
    }

    private static bool IsListMarker(string text, int j) =>
        j + 1 < text.Length && (text[j] is '-' or '*' or '+') && text[j + 1] == ' ';

    /// <summary>Adds a unit, cutting an over-long one at whitespace (or hard, inside a word with no spaces).</summary>
    private static void AddUnit(List<Unit> units, string text, int start, int end, bool paragraph, int size)
    {
        while (end - start > size)
        {
            var cut = start + size;
            var space = text.LastIndexOfAny([' ', '\n', '\t'], cut - 1, size - 1);
            if (space > start + size / 2) cut = space + 1;
            units.Add(new Unit(start, cut, false));
            start = cut;
        }
        if (end > start) units.Add(new Unit(start, end, paragraph));
    }
}
