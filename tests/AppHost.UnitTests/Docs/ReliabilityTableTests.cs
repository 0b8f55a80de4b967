using System.Text.RegularExpressions;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Docs;

/// <summary>
/// docs/reliability.md promises a test for every row of its tables: each row's test column names
/// "Project: Class.Method", and that method must exist in tests/&lt;Project&gt;/ as a [Fact] or [Theory].
/// </summary>
public sealed partial class ReliabilityTableTests
{
    private const string Header = "| # | door | request | status | stays up | nothing lost | test |";

    private static readonly string Document = Path.Combine(RepositoryPaths.Root, "docs", "reliability.md");

    /// <summary>Every table row of the document (header and separator lines left out), with its line number.</summary>
    private static List<(int Line, string[] Cells)> Rows()
    {
        var rows = new List<(int, string[])>();
        var lines = File.ReadAllLines(Document);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith('|') || line == Header || SeparatorRow().IsMatch(line)) continue;
            // Markdown cells may hold escaped pipes ("\|").
            rows.Add((i + 1, [.. CellSeparator().Split(line[1..^1]).Select(c => c.Trim())]));
        }
        return rows;
    }

    [Fact]
    public void Every_table_has_the_agreed_columns_and_the_document_has_at_least_thirty_rows()
    {
        var lines = File.ReadAllLines(Document).Select(l => l.Trim()).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            // The first line of each table is its header.
            if (lines[i].StartsWith('|') && (i == 0 || !lines[i - 1].StartsWith('|')))
                Assert.True(lines[i] == Header, $"docs/reliability.md:{i + 1}: a table's header must be '{Header}', not '{lines[i]}'");
        }
        var rows = Rows();
        Assert.All(rows, row => Assert.True(row.Cells.Length == 7, $"docs/reliability.md:{row.Line}: {row.Cells.Length} cells, expected 7"));
        Assert.True(rows.Count >= 30, $"docs/reliability.md has {rows.Count} rows");
    }

    [Fact]
    public void Every_row_names_a_test_method_that_exists()
    {
        var missing = new List<string>();
        foreach (var (line, cells) in Rows())
        {
            var test = TestReference().Match(cells[^1]);
            if (!test.Success)
            {
                missing.Add($"docs/reliability.md:{line}: '{cells[^1]}' is not 'Project: Class.Method'");
                continue;
            }
            var (project, type, method) = (test.Groups["project"].Value, test.Groups["class"].Value, test.Groups["method"].Value);
            if (!IsTestMethod(project, type, method))
                missing.Add($"docs/reliability.md:{line}: no [Fact] or [Theory] {type}.{method} in tests/{project}");
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    /// <summary>A source file of the project declares the class and, on it, the method under a test attribute.</summary>
    private static bool IsTestMethod(string project, string type, string method)
    {
        var folder = Path.Combine(RepositoryPaths.Root, "tests", project);
        if (!Directory.Exists(folder)) return false;
        var declaration = new Regex($@"^\s*public\s+(async\s+)?(Task|void)\s+{Regex.Escape(method)}\s*\(");
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            var lines = File.ReadAllLines(file);
            var inClass = false;
            for (var i = 0; i < lines.Length; i++)
            {
                if (ClassDeclaration().Match(lines[i]) is { Success: true } found) inClass = found.Groups["name"].Value == type;
                if (!inClass || !declaration.IsMatch(lines[i])) continue;
                for (var a = i - 1; a >= 0 && lines[a].TrimStart().StartsWith('['); a--)
                {
                    if (lines[a].TrimStart().StartsWith("[Fact", StringComparison.Ordinal) || lines[a].TrimStart().StartsWith("[Theory", StringComparison.Ordinal)) return true;
                }
            }
        }
        return false;
    }

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex(@"^\|(\s*:?-+:?\s*\|)+$")]
    private static partial Regex SeparatorRow();

    [GeneratedRegex(@"^`?(?<project>[A-Za-z0-9.]+):\s*(?<class>[A-Za-z0-9_]+)\.(?<method>[A-Za-z0-9_]+)`?$")]
    private static partial Regex TestReference();

    [GeneratedRegex(@"^\s*(public|internal)\s+(sealed\s+|static\s+|abstract\s+|partial\s+)*(class|record)\s+(?<name>[A-Za-z0-9_]+)")]
    private static partial Regex ClassDeclaration();
}
