using System.Text.RegularExpressions;

namespace MlStack.Testing;

/// <summary>A published output folder as relative path → content, comparable wherever it was written.</summary>
public static partial class PublishedFiles
{
    /// <summary>Every file below <paramref name="directory"/>, line endings and the compose build context normalized.</summary>
    public static SortedDictionary<string, string> Read(string directory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(directory, "*", SearchOption.AllDirectories))
        {
            files[Path.GetRelativePath(directory, path).Replace('\\', '/')] = Normalize(File.ReadAllText(path));
        }
        return files;
    }

    /// <summary>The first line where two texts differ, for a failure message.</summary>
    public static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var a = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (e != a)
            {
                return $"line {i + 1}\n  expected: {e}\n  actual:   {a}";
            }
        }
        return "(none)";
    }

    /// <summary>The compose build context is the repository root relative to wherever the output went.</summary>
    private static string Normalize(string content) => BuildContext().Replace(content.Replace("\r\n", "\n"), "context: <repository root>");

    [GeneratedRegex(@"context: .*")]
    private static partial Regex BuildContext();
}
