using System.Text.RegularExpressions;

namespace MlStack.Testing;

/// <summary>
/// A service project's top-level folders and which use which, read from the source: a folder uses another when one of
/// its files names the other's namespace (MlStack.&lt;Service&gt;.&lt;Folder&gt;) in a using directive or a
/// qualified name. The architecture tests of each service state their rules on it.
/// </summary>
public sealed class FolderGraph
{
    private FolderGraph(string projectDirectory, List<(string Folder, string File)> files, Dictionary<string, HashSet<string>> uses)
    {
        ProjectDirectory = projectDirectory;
        Files = files;
        Uses = uses;
    }

    public string ProjectDirectory { get; }

    /// <summary>Every source file with its top-level folder.</summary>
    public IReadOnlyList<(string Folder, string File)> Files { get; }

    /// <summary>Each folder's neighbours: the other folders it uses.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> Uses { get; }

    /// <param name="project">The project's folder under the repository root.</param>
    /// <param name="namespacePrefix">The namespace its folders extend, e.g. "MlStack.VectorStore".</param>
    /// <param name="exempt">Folders that are not rooms of their own (wiring, protos, build outputs).</param>
    public static FolderGraph Read(string project, string namespacePrefix, IReadOnlySet<string> exempt)
    {
        var directory = Path.Combine(RepositoryPaths.Root, project);
        var files = Directory.EnumerateDirectories(directory)
            .Select(Path.GetFileName)
            .Where(folder => !exempt.Contains(folder!))
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(directory, folder!), "*.cs", SearchOption.AllDirectories)
                .Select(file => (folder!, file)))
            .ToList();
        var folders = files.Select(f => f.Item1).ToHashSet();
        var uses = folders.ToDictionary(f => f, _ => new HashSet<string>());
        var reference = new Regex($@"\b{Regex.Escape(namespacePrefix)}\.(\w+)\b");
        foreach (var (folder, file) in files)
        {
            foreach (Match match in reference.Matches(File.ReadAllText(file)))
            {
                var target = match.Groups[1].Value;
                if (target != folder && folders.Contains(target)) uses[folder].Add(target);
            }
        }
        return new FolderGraph(directory, files, uses);
    }

    /// <summary>The namespace a file declares (file-scoped), or "" for none.</summary>
    public static string NamespaceOf(string file) =>
        Regex.Match(File.ReadAllText(file), @"^namespace ([\w.]+);", RegexOptions.Multiline).Groups[1].Value;

    /// <summary>A loop through <paramref name="start"/>, as "A -> B -> A", or null when there is none.</summary>
    public string? CycleThrough(string start) => FindCycle(start, start, [], new Stack<string>());

    private string? FindCycle(string start, string at, HashSet<string> seen, Stack<string> path)
    {
        path.Push(at);
        foreach (var next in Uses[at])
        {
            if (next == start) return string.Join(" -> ", path.Reverse().Append(next));
            if (seen.Add(next) && FindCycle(start, next, seen, path) is { } cycle) return cycle;
        }
        path.Pop();
        return null;
    }
}
