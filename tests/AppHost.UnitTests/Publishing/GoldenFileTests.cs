using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// The published files for the real AppHost model, byte for byte. A model change (a new resource, parameter or
/// env var) changes them on purpose: regenerate with MLSTACK_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
[Collection(PublishedStackCollection.Name)]
public sealed class GoldenFileTests(PublishedStack stack)
{
    private const string UpdateVariable = "MLSTACK_UPDATE_GOLDEN";

    private static string GoldenDirectory => Path.Combine(RepositoryPaths.Root, "tests", "AppHost.UnitTests", "Publishing", "Golden");

    [Theory]
    [InlineData("compose")]
    [InlineData("k8s")]
    [InlineData("sagemaker")]
    [InlineData("vertex")]
    public void Published_files_match_the_golden_files(string target)
    {
        var published = PublishedFiles.Read(Path.Combine(stack.OutputDirectory, target));
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
                var path = Path.Combine(goldenDirectory, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }
            return;
        }

        var golden = Directory.Exists(goldenDirectory) ? PublishedFiles.Read(goldenDirectory) : new SortedDictionary<string, string>();
        var hint = $"The published {target}/ output differs from tests/AppHost.UnitTests/Publishing/Golden/{target}/. If the AppHost model " +
                   $"changed on purpose (e.g. after a merge), regenerate with `{UpdateVariable}=1 dotnet test tests/AppHost.UnitTests " +
                   "--filter FullyQualifiedName~GoldenFileTests` and review the diff.";
        Assert.True(golden.Keys.SequenceEqual(published.Keys),
            $"{hint}\nGolden files: {string.Join(", ", golden.Keys)}\nPublished files: {string.Join(", ", published.Keys)}");
        foreach (var (name, content) in published)
        {
            if (golden[name] != content)
            {
                Assert.Fail($"{hint}\nFirst difference in {name} (expected: golden):\n{PublishedFiles.FirstDifference(golden[name], content)}");
            }
        }
    }
}
