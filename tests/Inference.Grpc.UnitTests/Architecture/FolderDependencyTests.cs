using System.Text.RegularExpressions;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Architecture;

/// <summary>
/// The inference service is an engine behind thin front ends. The engine folders (the model repository, execution,
/// batching, tensors, embeddings, generation and the one refusal type) know no protocol: they use neither Grpc.Core
/// nor ASP.NET Core nor a front end. The front ends (the gRPC services, the HTTP doors, the error table they share,
/// the key checks) translate. No two folders depend on each other, directly or through others. Read from the source's
/// using directives and qualified names, so a new file is checked as it is; the project drops the Web SDK's implicit
/// ASP.NET usings so that every use of ASP.NET is written out.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string ProjectDirectory = Path.Combine(RepositoryPaths.Root, "Inference.Grpc");

    private static readonly HashSet<string> Engine = ["Batching", "Embeddings", "Errors", "Execution", "Generation", "Repository", "Tensors"];

    private static readonly HashSet<string> FrontEnds = ["ApiErrors", "GrpcServices", "HttpDoors", "Security"];

    // Folders whose code is not in a MlStack.Inference.<Folder> namespace: wiring extends the hosting namespace.
    private static readonly HashSet<string> Exempt = ["Extensions", "Properties", "Protos", "models", "bin", "obj"];

    [GeneratedRegex(@"\bMlStack\.Inference\.(\w+)\b")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    // The transports: Grpc.Core (and Grpc.AspNetCore), ASP.NET Core, and the gRPC types that come without a using.
    [GeneratedRegex(@"\b(Grpc\.Core|Grpc\.AspNetCore|Microsoft\.AspNetCore|RpcException|ServerCallContext|HttpContext|StatusCodes)\b")]
    private static partial Regex Transport();

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
    public void Every_folder_is_engine_or_front_end_and_every_file_is_in_the_namespace_of_its_folder()
    {
        var files = SourceFiles().ToList();
        Assert.All(files.Select(f => f.Folder).Distinct(), folder => Assert.True(Engine.Contains(folder) || FrontEnds.Contains(folder),
            $"{folder}/ is neither an engine folder nor a front end: add it to one list"));
        Assert.All(files, f =>
        {
            var folder = Path.GetRelativePath(ProjectDirectory, Path.GetDirectoryName(f.File)!).Replace(Path.DirectorySeparatorChar, '.');
            Assert.Equal($"MlStack.Inference.{folder}", Namespace().Match(File.ReadAllText(f.File)).Groups[1].Value);
        });
    }

    [Fact]
    public void The_engine_uses_no_transport()
    {
        var engineFiles = SourceFiles().Where(f => Engine.Contains(f.Folder)).ToList();
        Assert.Contains(engineFiles, f => f.File.EndsWith("GenerationScheduler.cs", StringComparison.Ordinal));

        var offenders = engineFiles
            .SelectMany(f => Transport().Matches(File.ReadAllText(f.File)).Select(m => $"{Path.GetRelativePath(ProjectDirectory, f.File)}: {m.Value}"))
            .ToList();
        Assert.True(offenders.Count == 0, "the engine speaks a transport:\n" + string.Join("\n", offenders));
        // The gRPC services' and HTTP doors' own messages stay theirs. The tensor engine takes the Open Inference
        // Protocol's messages (MlStack.Inference.V2), the one tensor request format of the gRPC service and the SageMaker door.
        Assert.DoesNotContain(engineFiles, f => File.ReadAllText(f.File).Contains("MlStack.Inference.V1", StringComparison.Ordinal));
        Assert.DoesNotContain(engineFiles, f => f.Folder != "Tensors" && File.ReadAllText(f.File).Contains("MlStack.Inference.V2", StringComparison.Ordinal));
    }

    [Fact]
    public void The_engine_depends_on_no_front_end()
    {
        var graph = Dependencies();
        Assert.Contains("Repository", graph["Generation"]);

        foreach (var folder in Engine)
        {
            Assert.True(!graph[folder].Overlaps(FrontEnds), $"{folder} depends on {string.Join(", ", graph[folder].Intersect(FrontEnds))}");
        }
        // The refusal type is the engine's floor: every engine folder throws it, and it needs none of them.
        Assert.Empty(graph["Errors"]);
    }

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        var graph = Dependencies();

        foreach (var start in graph.Keys)
        {
            var cycle = FindCycle(start, start, graph, [], new Stack<string>());
            Assert.True(cycle is null, $"folder cycle: {cycle}");
        }
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
