using System.Text.RegularExpressions;
using MlStack.Testing;

namespace MlStack.VectorStore.UnitTests.Architecture;

/// <summary>
/// The proxy's folders are its rooms: each folder is one namespace, and no two folders depend on each other, directly
/// or through others. Read from the source's using directives and qualified names, so a new file is checked as it is.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string ProjectDirectory = Path.Combine(RepositoryPaths.Root, "VectorStore.Proxy");

    // Folders whose code is not in a MlStack.VectorStore.<Folder> namespace: wiring extends the hosting namespace.
    private static readonly HashSet<string> Exempt = ["Extensions", "Properties", "Protos", "bin", "obj"];

    [GeneratedRegex(@"\bMlStack\.VectorStore\.(\w+)\b")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    private static IEnumerable<(string Folder, string File)> SourceFiles() =>
        Directory.EnumerateDirectories(ProjectDirectory)
            .Select(Path.GetFileName)
            .Where(folder => !Exempt.Contains(folder!))
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(ProjectDirectory, folder!), "*.cs", SearchOption.AllDirectories)
                .Select(file => (folder!, file)));

    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        var folders = SourceFiles().Select(s => s.Folder).ToHashSet();
        var graph = folders.ToDictionary(f => f, _ => new HashSet<string>());
        foreach (var (folder, file) in SourceFiles())
        {
            foreach (Match match in Reference().Matches(File.ReadAllText(file)))
            {
                var target = match.Groups[1].Value;
                if (target != folder && folders.Contains(target)) graph[folder].Add(target);
            }
        }
        return graph;
    }

    [Fact]
    public void Every_file_is_in_the_namespace_of_its_folder()
    {
        var files = SourceFiles().ToList();
        Assert.Contains(files, f => f.Folder == "Search");
        Assert.All(files, f => Assert.Equal($"MlStack.VectorStore.{f.Folder}", Namespace().Match(File.ReadAllText(f.File)).Groups[1].Value));
    }

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var graph = Dependencies();
        Assert.Contains("Visibility", graph["Search"]);

        foreach (var start in graph.Keys)
        {
            var seen = new HashSet<string>();
            var path = new Stack<string>();
            var cycle = FindCycle(start, start, graph, seen, path);
            Assert.True(cycle is null, $"folder cycle: {cycle}");
        }
    }

    [Fact]
    public void Ingestion_and_search_share_only_lower_folders()
    {
        var graph = Dependencies();
        Assert.DoesNotContain("Search", graph["Ingestion"]);
        Assert.DoesNotContain("Ingestion", graph["Search"]);
        Assert.DoesNotContain("Api", graph.Where(p => p.Key != "Api").SelectMany(p => p.Value));
        // The embedding gateway and the rest share their error type through a folder of its own.
        Assert.Empty(graph["Errors"]);
    }

    private static string? FindCycle(string start, string at, Dictionary<string, HashSet<string>> graph, HashSet<string> seen, Stack<string> path)
    {
        path.Push(at);
        foreach (var next in graph[at])
        {
            if (next == start) return string.Join(" -> ", path.Reverse().Append(next));
            if (seen.Add(next) && FindCycle(start, next, graph, seen, path) is { } cycle) return cycle;
        }
        path.Pop();
        return null;
    }
}
