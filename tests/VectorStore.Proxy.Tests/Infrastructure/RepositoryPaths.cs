namespace MlStack.VectorStore.Tests.Infrastructure;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string ChromaCli => Path.Combine(Root, "tools", "chroma", "node_modules", "chromadb", "dist", "cli.mjs");

    /// <summary>Inference.Grpc's build output, in the same configuration as this test assembly.</summary>
    public static string InferenceDirectory
    {
        get
        {
#if DEBUG
            const string configuration = "Debug";
#else
            const string configuration = "Release";
#endif
            return Path.Combine(Root, "Inference.Grpc", "bin", configuration, "net10.0");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MlStack.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("MlStack.sln not found above " + AppContext.BaseDirectory);
    }
}
