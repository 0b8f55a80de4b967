using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;
using MlStack.Inference.Execution;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Repository;

/// <summary>
/// The versioned model repository of every task: &lt;repo&gt;/&lt;model&gt;/model.json and
/// &lt;repo&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx. One scan finds the models; each version is loaded by the
/// <see cref="IModelLoader"/> of its task (tensor and embedding models, text-generation models). Loads, reloads and
/// unloads models at run time; a model that fails to load is UNAVAILABLE with the reason and never stops the others.
/// Requests that name no version are shared between the served versions by the model's <see cref="VersionRouter"/>.
/// </summary>
public sealed class ModelRepository : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ModelSlot> _models = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IModelLoader> _loaders;
    private readonly OrtSessionFactory _sessions;
    private readonly ILogger<ModelRepository> _logger;

    public ModelRepository(IOptions<ModelRepositoryOptions> options, IHostEnvironment environment, OrtSessionFactory sessions,
        InferenceMetrics metrics, IEnumerable<IModelLoader> loaders, ILogger<ModelRepository> logger)
    {
        _sessions = sessions;
        _logger = logger;
        _loaders = loaders.SelectMany(loader => loader.Tasks.Select(task => (task, loader))).ToDictionary(p => p.task, p => p.loader, StringComparer.Ordinal);
        RootPath = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.Path));
        RegisterGauges(metrics.Meter);
    }

    public string RootPath { get; }

    public OrtSessionFactory Sessions => _sessions;

    /// <summary>True once startup loading has been attempted for every required model.</summary>
    public bool StartupComplete { get; internal set; }

    /// <summary>Ready to serve: startup is done and every model that should be loaded is READY.</summary>
    public bool IsReady => StartupComplete && _models.Values.Where(s => s.Required).All(s => s.State == ModelStates.Ready);

    /// <summary>Every model folder with a model.json, whatever its task: the one scan of the repository.</summary>
    public IReadOnlyList<string> Discover()
    {
        if (!Directory.Exists(RootPath)) return [];
        return Directory.EnumerateDirectories(RootPath)
            .Where(d => File.Exists(Path.Combine(d, ModelConfig.FileName)))
            .Select(d => Path.GetFileName(d)!)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Loads (or reloads) a model's versions chosen by its version policy, with <paramref name="config"/> instead of
    /// its model.json when given (Triton's config override). A reload keeps the versions whose settings and files did
    /// not change, so changing only version_weights reloads nothing. Failures leave it UNAVAILABLE, or serving what
    /// it served. Models configured for start-up (<paramref name="configured"/>) count for readiness even when they
    /// fail; a model loaded later through the API counts once it has loaded.
    /// </summary>
    public async Task LoadAsync(string name, bool configured = false, ModelConfig? config = null)
    {
        if (!IsOnDisk(name))
            throw new InferenceException(InferenceErrorReason.NotFound, $"Model '{ServingErrors.Shorten(name)}' is not in the repository.");

        var slot = _models.GetOrAdd(name, n => new ModelSlot(n));
        await slot.Gate.WaitAsync();
        try
        {
            slot.BeginLoad(configured);
            var previous = slot.Serving;
            var loaded = new List<ILoadedModel>();
            try
            {
                var directory = Path.Combine(RootPath, name);
                config ??= ModelConfig.Read(Path.Combine(directory, ModelConfig.FileName));
                slot.Task = config.Task;
                config.Validate();
                if (!_loaders.TryGetValue(config.Task, out var loader))
                    throw new InvalidDataException($"No loader serves task '{config.Task}' (this server loads {string.Join(", ", _loaders.Keys.Order())}).");
                var onDisk = ModelVersionFolders.Find(directory);
                var selected = VersionPolicyConfig.Select(config.VersionPolicy, onDisk);
                if (selected.Count == 0)
                    throw new InvalidDataException($"No version folder with a model.onnx matches the version policy (on disk: {string.Join(",", onDisk)}).");
                var router = VersionRouter.Create(config.VersionWeights, selected);

                var versions = new SortedDictionary<long, ServedVersion>();
                foreach (var version in selected)
                {
                    var source = new ModelVersionSource(name, version, Path.Combine(directory, version.ToString(CultureInfo.InvariantCulture)), config);
                    var fingerprint = Fingerprint(source);
                    if (previous.Versions.TryGetValue(version, out var kept) && kept.Fingerprint == fingerprint)
                    {
                        versions[version] = kept;
                        continue;
                    }
                    var model = await Task.Run(() => loader.Load(source));
                    loaded.Add(model);
                    versions[version] = new ServedVersion(model, fingerprint);
                }
                slot.Serve(new ServedVersions(versions, router, config));
                _logger.LogInformation("Model {Model} ({Task}) ready, versions {Versions} (loaded {Loaded}), traffic {Weights}, provider {Provider}",
                    name, config.Task, string.Join(",", versions.Keys), loaded.Count == 0 ? "none: unchanged" : string.Join(",", loaded.Select(m => m.VersionText)),
                    string.Join(", ", router.Weights.Select(w => $"{w.Key}={w.Value}")), _sessions.Provider);
                await DisposeReplacedAsync(previous, versions);
            }
            catch (Exception error)
            {
                foreach (var model in loaded) await model.DisposeAsync();
                slot.FailLoad(ServingErrors.LoadFailureReason(error, RootPath));
                _logger.LogError(error, "Model {Model} failed to load", name);
            }
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>Frees the versions a reload no longer serves, after their queued and running requests finish.</summary>
    private static async Task DisposeReplacedAsync(ServedVersions previous, IReadOnlyDictionary<long, ServedVersion> serving)
    {
        foreach (var (version, old) in previous.Versions)
        {
            if (!serving.TryGetValue(version, out var now) || !ReferenceEquals(now.Model, old.Model))
                await old.Model.DisposeAsync();
        }
    }

    /// <summary>The settings a version is loaded with and the newest change to its files.</summary>
    private static string Fingerprint(ModelVersionSource source)
    {
        var files = new DirectoryInfo(source.Directory).EnumerateFiles("*", SearchOption.AllDirectories).ToArray();
        var newest = files.Length == 0 ? 0 : files.Max(f => f.LastWriteTimeUtc.Ticks);
        return $"{source.Config.LoadFingerprint()}|{files.Length}|{files.Sum(f => f.Length)}|{newest}";
    }

    /// <summary>Records that a model the server must serve could not even be found, so readiness reflects it.</summary>
    public void MarkUnavailable(string name, string reason) => _models.GetOrAdd(name, n => new ModelSlot(n)).MarkUnavailable(reason);

    /// <summary>Stops serving a model; queued and running requests finish first. It no longer counts for readiness.</summary>
    public async Task UnloadAsync(string name)
    {
        if (!_models.TryGetValue(name, out var slot))
        {
            if (IsOnDisk(name)) return; // not loaded: nothing to do
            throw new InferenceException(InferenceErrorReason.NotFound, $"Model '{ServingErrors.Shorten(name)}' is not in the repository.");
        }
        await slot.Gate.WaitAsync();
        try
        {
            var versions = slot.BeginUnload();
            foreach (var (_, served) in versions.Versions) await served.Model.DisposeAsync();
            slot.Unloaded();
            _logger.LogInformation("Model {Model} unloaded", name);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>
    /// The version to serve: the one asked for, or for a request that names none the one the model's traffic split
    /// picks (sticky per <paramref name="conversationKey"/>). NOT_FOUND / UNAVAILABLE otherwise.
    /// </summary>
    public ILoadedModel Resolve(string? name, string? version, string? conversationKey = null)
    {
        if (!_models.TryGetValue(name ?? "", out var slot))
        {
            if (IsOnDisk(name))
                throw new InferenceException(InferenceErrorReason.Unavailable, $"Model '{ServingErrors.Shorten(name)}' is not loaded.");
            throw new InferenceException(InferenceErrorReason.NotFound, $"Model '{ServingErrors.Shorten(name)}' is not in the repository.");
        }
        var serving = slot.Serving;
        if (serving.Versions.Count == 0)
        {
            var why = slot.Reason.Length > 0 ? ": " + slot.Reason : "";
            throw new InferenceException(InferenceErrorReason.Unavailable, $"Model '{name}' is {slot.State}{why}");
        }
        if (string.IsNullOrEmpty(version)) return serving.Versions[serving.Router!.Pick(conversationKey)].Model;
        if (long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && serving.Versions.TryGetValue(number, out var served))
            return served.Model;
        throw new InferenceException(InferenceErrorReason.NotFound,
            $"Version '{ServingErrors.Shorten(version)}' of model '{name}' is not available (serving: {string.Join(",", serving.Versions.Keys)}).");
    }

    /// <summary>Like <see cref="Resolve"/>, for an API that serves one kind of model; another kind is INVALID_ARGUMENT.</summary>
    public TModel Resolve<TModel>(string? name, string? version, string use) where TModel : class, ILoadedModel =>
        Resolve(name, version) as TModel ?? throw new InferenceException(InferenceErrorReason.InvalidArgument,
            $"Model '{name}' is a {StatusOf(name!)?.Task} model; {use}.");

    /// <summary>Where a model stands, or null when the repository has never tried it.</summary>
    public ModelStatus? StatusOf(string name) =>
        _models.TryGetValue(name, out var slot) ? new ModelStatus(slot.Name, slot.State, slot.Reason, slot.Task, slot.Serving) : null;

    /// <summary>Every model on disk and every loaded version, with states.</summary>
    public IReadOnlyList<ModelIndexEntry> Index()
    {
        var entries = new List<ModelIndexEntry>();
        foreach (var name in Discover().Union(_models.Keys).Order(StringComparer.Ordinal))
        {
            if (!_models.TryGetValue(name, out var slot))
            {
                entries.Add(new ModelIndexEntry(name, "", "", "not loaded"));
                continue;
            }
            var versions = slot.Serving.Versions;
            if (versions.Count == 0)
            {
                entries.Add(new ModelIndexEntry(name, "", slot.State, slot.Reason));
                continue;
            }
            foreach (var (_, served) in versions) entries.Add(new ModelIndexEntry(name, served.Model.VersionText, slot.State, slot.Reason));
        }
        return entries;
    }

    /// <summary>Every loaded version of every model.</summary>
    public IEnumerable<ILoadedModel> Loaded() => _models.Values.SelectMany(s => s.Serving.Versions.Values.Select(v => v.Model));

    private void RegisterGauges(Meter meter)
    {
        meter.CreateObservableGauge("mlstack.inference.pending.requests", () =>
            Loaded().Select(m => new Measurement<int>(m.PendingCount, Tags(m.Name, m.VersionText))),
            description: "Requests waiting in a model's queue.");
        meter.CreateObservableGauge("mlstack.inference.model.ready", () =>
            _models.Values.SelectMany(slot => slot.Serving.Versions.Count > 0
                ? slot.Serving.Versions.Values.Select(v => new Measurement<int>(slot.State == ModelStates.Ready ? 1 : 0, Tags(slot.Name, v.Model.VersionText)))
                : [new Measurement<int>(0, Tags(slot.Name, ""))]),
            description: "1 when the model version is loaded and serving, 0 when it is loading, unloaded or failed to load.");
        meter.CreateObservableGauge("mlstack.inference.execution.provider", () =>
            new Measurement<int>(1, new KeyValuePair<string, object?>("provider", _sessions.Provider.ToString().ToLowerInvariant())),
            description: "1 for the ONNX Runtime execution provider models run on (cuda, or cpu as the fallback).");
    }

    private static KeyValuePair<string, object?>[] Tags(string model, string version) =>
        [new("model", model), new("version", version)];

    private bool IsOnDisk(string? name) => IsValidName(name) && Directory.Exists(Path.Combine(RootPath, name!));

    private static bool IsValidName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && name is not ("." or "..");

    public async ValueTask DisposeAsync()
    {
        foreach (var model in Loaded().ToArray()) await model.DisposeAsync();
        _models.Clear();
    }
}

/// <summary>Where a model stands: its load state and reason, its task when known, and what it serves.</summary>
public sealed record ModelStatus(string Name, string State, string Reason, string? Task, ServedVersions Serving);
