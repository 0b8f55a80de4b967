using System.Text;

namespace MlStack.Benchmarks;

/// <summary>Deterministic made-up text for documents, chunks and questions.</summary>
internal static class GeneratedText
{
    public static readonly string[] Words =
    [
        "harbour", "ledger", "turbine", "glacier", "orchard", "compiler", "lantern", "quarry", "satellite", "vineyard",
        "bridge", "archive", "furnace", "meadow", "reactor", "tunnel", "observatory", "mill", "canal", "forge",
        "battery", "pipeline", "garden", "library", "engine", "railway", "market", "fortress", "dam", "lighthouse",
    ];

    public static string Word(Random random) => Words[random.Next(Words.Length)];

    /// <summary>One sentence such as "The canal near the mill was inspected in year 1931 and found in good order. "</summary>
    public static StringBuilder AppendSentence(StringBuilder text, Random random) =>
        text.Append("The ").Append(Word(random)).Append(" near the ").Append(Word(random))
            .Append(" was inspected in year ").Append(1900 + random.Next(120)).Append(" and found ")
            .Append(random.Next(2) == 0 ? "in good order" : "in need of repair").Append(". ");

    /// <summary>Markdown of the given size: headings, paragraphs of sentences and lists.</summary>
    public static byte[] MarkdownOfSize(int bytes)
    {
        var random = new Random(42);
        var text = new StringBuilder();
        var section = 0;
        while (text.Length < bytes)
        {
            text.Append("## Section ").Append(section++).Append(": the ").Append(Word(random)).Append("\n\n");
            for (var p = 0; p < 4; p++)
            {
                for (var s = 0; s < 5; s++) AppendSentence(text, random);
                text.Append("\n\n");
            }
            text.Append("- item ").Append(Word(random)).Append('\n').Append("- item ").Append(Word(random)).Append("\n\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString(0, bytes));
    }
}
