using System.Text.RegularExpressions;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// The published files for the real AppHost model, byte for byte. A model change (a new resource, parameter or
/// env var) changes them on purpose: regenerate with MLSTACK_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
[Collection(PublishedStackCollection.Name)]
public sealed partial class GoldenFileTests(PublishedStack stack)
{
    private const string UpdateVariable = "MLSTACK_UPDATE_GOLDEN";

    private static string GoldenDirectory => Path.Combine(RepositoryPaths.Root, "tests", "AppHost.UnitTests", "Publishing", "Golden");

    [Theory]
    [InlineData("compose")]
    [InlineData("k8s")]
    public void Published_files_match_the_golden_files(string target)
    {
        var published = ReadTree(Path.Combine(stack.OutputDirectory, target));
        var goldenDirectory = Path.Combine(GoldenDirectory, target);

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            if (Directory.Exists(goldenDirectory))
            {
                Directory.Delete(goldenDirectory, recursive: true);
            }
            Directory.CreateDirectory(goldenDirectory);
            foreach (var (name, content) in published)
            {
                File.WriteAllText(Path.Combine(goldenDirectory, name), content);
            }
            return;
        }

        var golden = Directory.Exists(goldenDirectory) ? ReadTree(goldenDirectory) : new SortedDictionary<string, string>();
        var hint = $"The published {target}/ output differs from tests/AppHost.UnitTests/Publishing/Golden/{target}/. If the AppHost model " +
                   $"changed on purpose (e.g. after a merge), regenerate with `{UpdateVariable}=1 dotnet test tests/AppHost.UnitTests " +
                   "--filter FullyQualifiedName~GoldenFileTests` and review the diff.";
        Assert.True(golden.Keys.SequenceEqual(published.Keys),
            $"{hint}\nGolden files: {string.Join(", ", golden.Keys)}\nPublished files: {string.Join(", ", published.Keys)}");
        foreach (var (name, content) in published)
        {
            if (golden[name] != content)
            {
                Assert.Fail($"{hint}\nFirst difference in {name}:\n{FirstDifference(golden[name], content)}");
            }
        }
    }

    private static SortedDictionary<string, string> ReadTree(string directory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.GetFiles(directory))
        {
            files[Path.GetFileName(path)] = Normalize(File.ReadAllText(path));
        }
        return files;
    }

    /// <summary>The compose build context is the repository root relative to wherever the output went.</summary>
    private static string Normalize(string content) => BuildContext().Replace(content.Replace("\r\n", "\n"), "context: <repository root>");

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end of file>";
            var a = i < actualLines.Length ? actualLines[i] : "<end of file>";
            if (e != a)
            {
                return $"line {i + 1}\n  golden:    {e}\n  published: {a}";
            }
        }
        return "(none)";
    }

    [GeneratedRegex(@"context: .*")]
    private static partial Regex BuildContext();
}
