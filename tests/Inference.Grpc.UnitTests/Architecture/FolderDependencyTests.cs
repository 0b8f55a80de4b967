using System.Text.RegularExpressions;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Architecture;

/// <summary>
/// The inference service is an engine behind thin front ends. The engine folders (the model repository, execution,
/// batching, tensors, embeddings, generation and the one refusal type) know no protocol: they use neither Grpc.Core
/// nor ASP.NET Core nor a front end. The front ends (the gRPC services, the HTTP doors, the error table they share,
/// the key checks) translate. No two folders depend on each other, directly or through others. Read from the source,
/// so a new file is checked as it is; the project drops the Web SDK's implicit ASP.NET usings so that every use of
/// ASP.NET is written out where this test sees it.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly HashSet<string> Engine = ["Batching", "Embeddings", "Errors", "Execution", "Generation", "Repository", "Tensors", "Tokenization"];

    private static readonly HashSet<string> FrontEnds = ["ApiErrors", "GrpcServices", "HttpDoors", "Security"];

    // Folders whose code is not in a MlStack.Inference.<Folder> namespace: wiring extends the hosting namespace.
    private static readonly FolderGraph Graph =
        FolderGraph.Read("Inference.Grpc", "MlStack.Inference", new HashSet<string> { "Extensions", "Properties", "Protos", "models", "bin", "obj" });

    // The transports: Grpc.Core (and Grpc.AspNetCore), ASP.NET Core, and the names of theirs most likely to slip in.
    [GeneratedRegex(@"\b(Grpc\.Core|Grpc\.AspNetCore|Microsoft\.AspNetCore|RpcException|ServerCallContext|HttpContext|StatusCodes)\b")]
    private static partial Regex Transport();

    private static List<(string Folder, string File)> EngineFiles => [.. Graph.Files.Where(f => Engine.Contains(f.Folder))];

    [Fact]
    public void Every_folder_is_engine_or_front_end_and_every_file_is_in_the_namespace_of_its_folder()
    {
        Assert.All(Graph.Uses.Keys, folder => Assert.True(Engine.Contains(folder) || FrontEnds.Contains(folder),
            $"{folder}/ is neither an engine folder nor a front end: add it to one list"));
        Assert.All(Graph.Files, f =>
        {
            var folder = Path.GetRelativePath(Graph.ProjectDirectory, Path.GetDirectoryName(f.File)!).Replace(Path.DirectorySeparatorChar, '.');
            Assert.Equal($"MlStack.Inference.{folder}", FolderGraph.NamespaceOf(f.File));
        });
    }

    [Fact]
    public void The_engine_uses_no_transport()
    {
        Assert.Contains(EngineFiles, f => f.File.EndsWith("GenerationScheduler.cs", StringComparison.Ordinal));

        var offenders = EngineFiles
            .SelectMany(f => Transport().Matches(File.ReadAllText(f.File)).Select(m => $"{Path.GetRelativePath(Graph.ProjectDirectory, f.File)}: {m.Value}"))
            .ToList();
        Assert.True(offenders.Count == 0, "the engine speaks a transport:\n" + string.Join("\n", offenders));
        // The gRPC services' own messages stay theirs. The tensor engine takes the Open Inference Protocol's messages
        // (MlStack.Inference.V2): the one tensor request format of the gRPC service and the SageMaker door alike.
        Assert.DoesNotContain(EngineFiles, f => File.ReadAllText(f.File).Contains("MlStack.Inference.V1", StringComparison.Ordinal));
        Assert.DoesNotContain(EngineFiles, f => f.Folder != "Tensors" && File.ReadAllText(f.File).Contains("MlStack.Inference.V2", StringComparison.Ordinal));
    }

    [Fact]
    public void The_engine_depends_on_no_front_end()
    {
        Assert.Contains("Repository", Graph.Uses["Generation"]);

        Assert.All(Engine, folder => Assert.True(!Graph.Uses[folder].Overlaps(FrontEnds),
            $"{folder} depends on {string.Join(", ", Graph.Uses[folder].Intersect(FrontEnds))}"));
        // The refusal type is the engine's floor: every engine folder throws it, and it needs none of them.
        Assert.Empty(Graph.Uses["Errors"]);
    }

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        Assert.All(Graph.Uses.Keys, start => Assert.True(Graph.CycleThrough(start) is null, $"folder cycle: {Graph.CycleThrough(start)}"));
    }
}
