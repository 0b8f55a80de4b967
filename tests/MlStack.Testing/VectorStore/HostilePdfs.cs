using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace MlStack.Testing.VectorStore;

/// <summary>
/// Hostile PDFs, written byte by byte on every run (no opaque binaries in the repository): a flate bomb, objects nested
/// far deeper than any parser's stack, a page tree as deep, a form that draws itself, and documents with many pages
/// or much text. Each is a well-formed file with a correct cross-reference table, so a parser meets the hostile part
/// rather than a syntax error.
/// </summary>
public static class HostilePdfs
{
    private const string Font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";

    /// <summary>One page whose content stream says <paramref name="text"/> and then inflates to <paramref name="inflatedBytes"/> bytes of spaces.</summary>
    public static byte[] FlateBomb(long inflatedBytes, string text = "A harmless looking page.")
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(Encoding.ASCII.GetBytes($"BT /F1 12 Tf 72 720 Td ({text}) Tj ET\n"));
            var spaces = new byte[1 << 20];
            Array.Fill(spaces, (byte)' ');
            for (long left = inflatedBytes; left > 0; left -= spaces.Length) zlib.Write(spaces, 0, (int)Math.Min(left, spaces.Length));
        }
        return Pages([text], content: compressed.ToArray(), contentFilter: "/Filter /FlateDecode");
    }

    /// <summary>A catalog holding an array nested <paramref name="depth"/> levels deep: [[[[...]]]].</summary>
    public static byte[] NestedArrays(int depth) =>
        Pages(["Nested arrays."], catalogExtra: "/Deep " + new string('[', depth) + new string(']', depth));

    /// <summary>A catalog holding a dictionary nested <paramref name="depth"/> levels deep: &lt;&lt; /A &lt;&lt; /A ... &gt;&gt; &gt;&gt;.</summary>
    public static byte[] NestedDictionaries(int depth) =>
        Pages(["Nested dictionaries."], catalogExtra: "/Deep " + string.Concat(Enumerable.Repeat("<< /A ", depth)) + "1" + string.Concat(Enumerable.Repeat(" >>", depth)));

    /// <summary>A page whose content stream nests arrays <paramref name="depth"/> levels deep as an operand.</summary>
    public static byte[] NestedContent(int depth) =>
        Pages(["Nested content."], content: Encoding.ASCII.GetBytes(
            "BT /F1 12 Tf 72 720 Td " + new string('[', depth) + "(x)" + new string(']', depth) + " TJ ET"));

    /// <summary>One page under a page tree <paramref name="depth"/> intermediate nodes deep.</summary>
    public static byte[] DeepPageTree(int depth)
    {
        // 1 catalog, 2 font, 3 content, 4 page, 5.. the tree nodes, 5 the root.
        var objects = new List<(string, byte[]?)>
        {
            ("<< /Type /Catalog /Pages 5 0 R >>", null),
            (Font, null),
            ("", ContentOf("A page at the bottom of a deep tree.")),
            ($"<< /Type /Page /Parent {4 + depth} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 2 0 R >> >> /Contents 3 0 R >>", null),
        };
        for (var level = 0; level < depth; level++)
        {
            var number = 5 + level;
            var kid = level == depth - 1 ? 4 : number + 1;
            var parent = level == 0 ? "" : $"/Parent {number - 1} 0 R ";
            objects.Add(($"<< /Type /Pages {parent}/Kids [{kid} 0 R] /Count 1 >>", null));
        }
        return Write(objects);
    }

    /// <summary>A page that draws a form XObject whose content draws the same form again, without end.</summary>
    public static byte[] SelfDrawingForm() => Write(
    [
        ("<< /Type /Catalog /Pages 2 0 R >>", null),
        ("<< /Type /Pages /Kids [3 0 R] /Count 1 >>", null),
        ("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> /XObject << /X 6 0 R >> >> /Contents 5 0 R >>", null),
        (Font, null),
        ("", Encoding.ASCII.GetBytes("BT /F1 12 Tf 72 720 Td (A form that draws itself.) Tj ET /X Do")),
        ("<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> /XObject << /X 6 0 R >> >>", Encoding.ASCII.GetBytes("/X Do")),
    ]);

    /// <summary>A plain PDF with one page per text.</summary>
    public static byte[] Pages(IReadOnlyList<string> pageTexts) => Pages(pageTexts, content: null);

    private static byte[] Pages(IReadOnlyList<string> pageTexts, byte[]? content = null, string contentFilter = "", string catalogExtra = "")
    {
        // 1 catalog, 2 page tree, 3 font, then per page: the page and its content stream.
        var kids = string.Join(" ", pageTexts.Select((_, i) => $"{4 + 2 * i} 0 R"));
        var objects = new List<(string, byte[]?)>
        {
            ($"<< /Type /Catalog /Pages 2 0 R {catalogExtra} >>", null),
            ($"<< /Type /Pages /Kids [{kids}] /Count {pageTexts.Count} >>", null),
            (Font, null),
        };
        for (var i = 0; i < pageTexts.Count; i++)
        {
            objects.Add(($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>", null));
            objects.Add((i == 0 && content is not null ? contentFilter : "", i == 0 && content is not null ? content : ContentOf(pageTexts[i])));
        }
        return Write(objects);
    }

    private static byte[] ContentOf(string text) => Encoding.ASCII.GetBytes($"BT /F1 12 Tf 72 720 Td ({text}) Tj ET");

    /// <summary>Objects numbered from 1 (the first is the catalog); a stream's dictionary gets its /Length.</summary>
    private static byte[] Write(IReadOnlyList<(string Dictionary, byte[]? Stream)> objects)
    {
        using var file = new MemoryStream();
        void Text(string s) => file.Write(Encoding.Latin1.GetBytes(s));
        Text("%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<long>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(file.Position);
            var (dictionary, stream) = objects[i];
            Text($"{i + 1} 0 obj\n");
            if (stream is null)
            {
                Text(dictionary);
            }
            else
            {
                // A stream's dictionary is given without its closing brackets' worth of /Length; add it here.
                var body = dictionary.StartsWith("<<", StringComparison.Ordinal) ? dictionary.TrimEnd()[..^2] : "<< " + dictionary;
                Text($"{body} /Length {stream.Length} >>\nstream\n");
                file.Write(stream);
                Text("\nendstream");
            }
            Text("\nendobj\n");
        }
        var xref = file.Position;
        Text($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) Text(offset.ToString("D10", CultureInfo.InvariantCulture) + " 00000 n \n");
        Text($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return file.ToArray();
    }
}
