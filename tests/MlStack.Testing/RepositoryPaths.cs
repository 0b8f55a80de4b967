using System.Text.Json;

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

    /// <summary>Inference.Grpc's shipped model repository (tiny-gpt, tiny-llama; MiniLM is extracted into it on first use).</summary>
    public static string DefaultModelRepository => Path.Combine(Root, "Inference.Grpc", "models");

    public static string TinyGptVersionDirectory => GeneratorVersionDirectory("tiny-gpt");

    /// <summary>The text-generation models the repository ships (model.json "task": "text-generation"), by name.</summary>
    public static IReadOnlyList<string> ShippedGeneratorModels { get; } = FindGeneratorModels();

    /// <summary>The folder of a shipped generator model's version 1, where its export script wrote it.</summary>
    public static string GeneratorVersionDirectory(string model) => Path.Combine(DefaultModelRepository, model, "1");

    /// <summary>A project's build output in the same configuration as this test assembly, e.g. Inference.Grpc/bin/Debug/net10.0.</summary>
    public static string BuildOutput(string project) => Path.Combine(Root, project, "bin", Configuration, "net10.0");

    private static string[] FindGeneratorModels() =>
        [.. Directory.EnumerateDirectories(DefaultModelRepository)
            .Where(directory => File.Exists(Path.Combine(directory, "model.json")) && IsTextGeneration(Path.Combine(directory, "model.json")))
            .Select(directory => Path.GetFileName(directory))
            .Order(StringComparer.Ordinal)];

    private static bool IsTextGeneration(string modelJson)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(modelJson));
        return json.RootElement.TryGetProperty("task", out var task) && task.GetString() == "text-generation";
    }

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
