using MlStack.Testing;

namespace MlStack.VectorStore.UnitTests.Architecture;

/// <summary>
/// The proxy's folders are its rooms: each folder is one namespace, and no two folders depend on each other, directly
/// or through others. Read from the source's using directives and qualified names, so a new file is checked as it is.
/// </summary>
public sealed class FolderDependencyTests
{
    // Folders whose code is not in a MlStack.VectorStore.<Folder> namespace: wiring extends the hosting namespace.
    private static readonly FolderGraph Graph =
        FolderGraph.Read("VectorStore.Proxy", "MlStack.VectorStore", new HashSet<string> { "Extensions", "Properties", "Protos", "bin", "obj" });

    [Fact]
    public void Every_file_is_in_the_namespace_of_its_folder()
    {
        Assert.Contains(Graph.Files, f => f.Folder == "Search");
        Assert.All(Graph.Files, f => Assert.Equal($"MlStack.VectorStore.{f.Folder}", FolderGraph.NamespaceOf(f.File)));
    }

    [Fact]
    public void No_folder_depends_on_itself_through_others()
    {
        Assert.Contains("Visibility", Graph.Uses["Search"]);

        Assert.All(Graph.Uses.Keys, start => Assert.True(Graph.CycleThrough(start) is null, $"folder cycle: {Graph.CycleThrough(start)}"));
    }

    [Fact]
    public void Ingestion_and_search_share_only_lower_folders()
    {
        Assert.DoesNotContain("Search", Graph.Uses["Ingestion"]);
        Assert.DoesNotContain("Ingestion", Graph.Uses["Search"]);
        Assert.DoesNotContain("Api", Graph.Uses.Where(p => p.Key != "Api").SelectMany(p => p.Value));
        // The embedding gateway and the rest share their error type through a folder of its own.
        Assert.Empty(Graph.Uses["Errors"]);
    }
}
