namespace MlStack.Testing;

/// <summary>Where things are in the repository and its build outputs, found from the test assembly's folder.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of the running test assembly: outputs of the same build sit beside it.</summary>
    public static string Configuration { get; } =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    public static string ChromaCli => Path.Combine(Root, "tools", "chroma", "node_modules", "chromadb", "dist", "cli.mjs");

    /// <summary>Inference.Grpc's shipped model repository (tiny-gpt; MiniLM is extracted into it on first use).</summary>
    public static string DefaultModelRepository => Path.Combine(Root, "Inference.Grpc", "models");

    public static string TinyGptVersionDirectory => Path.Combine(DefaultModelRepository, "tiny-gpt", "1");

    /// <summary>A project's build output in the same configuration as this test assembly, e.g. Inference.Grpc/bin/Debug/net10.0.</summary>
    public static string BuildOutput(string project) => Path.Combine(Root, project, "bin", Configuration, "net10.0");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MlStack.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("MlStack.sln not found above " + AppContext.BaseDirectory);
    }
}
