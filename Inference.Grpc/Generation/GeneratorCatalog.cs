using System.Globalization;
using Microsoft.Extensions.Options;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Repository;

namespace MlStack.Inference.Generation;

/// <summary>
/// The text-generation models of the model repository (ModelRepository:Path, shared with the inference
/// service): every &lt;repo&gt;/&lt;model&gt;/model.json whose "task" is "text-generation", at its latest
/// numeric version. Loaded once at start by <see cref="GeneratorLoader"/>; readiness waits for it.
/// </summary>
public sealed class GeneratorCatalog(
    IConfiguration configuration,
    IHostEnvironment environment,
    OrtSessionFactory sessions,
    IOptions<GenerationOptions> generationOptions,
    IOptions<ExecutionOptions> executionOptions,
    ILogger<GeneratorCatalog> logger) : IDisposable
{
    public const string Task = ModelConfig.TextGenerationTask;

    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyDictionary<string, GeneratorModel> _models = new Dictionary<string, GeneratorModel>();
    private IReadOnlyDictionary<string, string> _failures = new Dictionary<string, string>();

    public bool IsLoaded => _loaded.Task.IsCompletedSuccessfully;

    /// <summary>Which models failed to load and why, if any did; the others still serve.</summary>
    public string? LoadError { get; private set; }

    /// <summary>Why a model failed to load, or null when it did not fail.</summary>
    public string? FailureOf(string name) => _failures.GetValueOrDefault(name);

    public Task WhenLoaded => _loaded.Task;

    public IReadOnlyDictionary<string, GeneratorModel> Models => _models;

    public string RepositoryPath
    {
        get
        {
            var configured = configuration["ModelRepository:Path"];
            return Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? "models" : configured, environment.ContentRootPath);
        }
    }

    /// <summary>The model a request names, or the default one when it names none.</summary>
    public GeneratorModel? Find(string? name)
    {
        if (!string.IsNullOrEmpty(name))
        {
            return _models.GetValueOrDefault(name);
        }
        var preferred = generationOptions.Value.DefaultModel;
        if (!string.IsNullOrEmpty(preferred) && _models.TryGetValue(preferred, out var model))
        {
            return model;
        }
        return _models.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => m.Value).FirstOrDefault();
    }

    public void Load()
    {
        var models = new Dictionary<string, GeneratorModel>(StringComparer.Ordinal);
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        var root = RepositoryPath;
        if (Directory.Exists(root))
        {
            foreach (var modelDir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                // One broken model must not keep the others from serving: it is reported and skipped.
                try
                {
                    if (LoadModel(modelDir) is { } model)
                    {
                        models[model.Name] = model;
                    }
                }
                catch (Exception ex)
                {
                    failures[Path.GetFileName(modelDir)] = ex.Message;
                    logger.LogError(ex, "Generator model {Model} failed to load", Path.GetFileName(modelDir));
                }
            }
        }
        else
        {
            logger.LogWarning("Model repository {Path} does not exist: no generator models", root);
        }
        _models = models;
        _failures = failures;
        LoadError = failures.Count == 0 ? null : string.Join("; ", failures.Select(f => $"{f.Key}: {f.Value}"));
        _loaded.TrySetResult();
    }

    private GeneratorModel? LoadModel(string modelDir)
    {
        var descriptor = Path.Combine(modelDir, ModelConfig.FileName);
        if (!File.Exists(descriptor))
        {
            return null;
        }
        var config = ModelConfig.Read(descriptor);
        if (config.Task != Task)
        {
            return null;
        }
        var name = Path.GetFileName(modelDir);
        var versions = VersionPolicyConfig.Select(config.VersionPolicy, ModelVersionFolders.Find(modelDir));
        if (versions.Count == 0)
        {
            throw new InvalidDataException($"Generator model '{name}' has no version folder with a {ModelVersionFolders.ModelFileName} under {modelDir}.");
        }
        // One generator per model name: the newest version the policy selects.
        var version = versions[^1].ToString(CultureInfo.InvariantCulture);
        var directory = Path.Combine(modelDir, version);
        var description = config.Description;

        var session = sessions.Create(Path.Combine(directory, ModelVersionFolders.ModelFileName));
        try
        {
            var binding = KvCacheBindingSelector.Select(generationOptions.Value.KvCacheBinding, session.Provider);
            var model = new GeneratorModel(name, version, directory, session, binding, executionOptions.Value.CudaDeviceId, description);
            logger.LogInformation(
                "Generator model {Model} version {Version} loaded on {Provider} ({Reason}); KV cache via {Binding}; {Layers} layers, context {Context}",
                name, version, session.Provider, session.ProviderReason, binding, model.Layout.Layers, model.ContextLength);
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var model in _models.Values)
        {
            model.Dispose();
        }
    }
}
