using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlStack.Inference.Execution;

namespace MlStack.Inference.Repository;

/// <summary>
/// The versioned model repository: &lt;repo&gt;/&lt;model&gt;/model.json and &lt;repo&gt;/&lt;model&gt;/&lt;version&gt;/model.onnx.
/// Loads, reloads and unloads models at run time; a model that fails to load is UNAVAILABLE with the reason and
/// never stops the others. Text-generation models belong to the generation service and are left alone.
/// </summary>
public sealed class ModelRepository : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ModelSlot> _models = new(StringComparer.Ordinal);
    private readonly OrtSessionFactory _sessions;
    private readonly InferenceMetrics _metrics;
    private readonly ModelRepositoryOptions _options;
    private readonly ILogger<ModelRepository> _logger;

    public ModelRepository(IOptions<ModelRepositoryOptions> options, IHostEnvironment environment, OrtSessionFactory sessions,
        InferenceMetrics metrics, ILogger<ModelRepository> logger)
    {
        _options = options.Value;
        _sessions = sessions;
        _metrics = metrics;
        _logger = logger;
        RootPath = Path.GetFullPath(Path.Combine(environment.ContentRootPath, _options.Path));
        RegisterGauges();
    }

    public string RootPath { get; }

    public OrtSessionFactory Sessions => _sessions;

    /// <summary>True once startup loading has been attempted for every required model.</summary>
    public bool StartupComplete { get; internal set; }

    /// <summary>Ready to serve: startup is done and every model that should be loaded is READY.</summary>
    public bool IsReady => StartupComplete && _models.Values.Where(s => s.Required).All(s => s.State == ModelStates.Ready);

    /// <summary>Model folders present on disk that this service serves (text-generation ones excluded).</summary>
    public IReadOnlyList<string> Discover()
    {
        if (!Directory.Exists(RootPath)) return [];
        return Directory.EnumerateDirectories(RootPath)
            .Where(d => File.Exists(Path.Combine(d, ModelConfig.FileName)))
            .Select(d => Path.GetFileName(d)!)
            .Where(name => !IsTextGeneration(name))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    private bool IsTextGeneration(string name)
    {
        try
        {
            return ModelConfig.Read(Path.Combine(RootPath, name, ModelConfig.FileName)).Task == ModelConfig.TextGenerationTask;
        }
        catch (Exception)
        {
            return false; // an unreadable config is this service's to report
        }
    }

    /// <summary>
    /// Loads (or reloads) a model's versions chosen by its version policy. Failures leave it UNAVAILABLE.
    /// Models configured for start-up (<paramref name="configured"/>) count for readiness even when they fail;
    /// a model loaded later through the API counts once it has loaded.
    /// </summary>
    public async Task LoadAsync(string name, bool configured = false)
    {
        if (!IsValidName(name) || !Directory.Exists(Path.Combine(RootPath, name)))
            throw new RpcException(new Status(StatusCode.NotFound, $"Model '{name}' is not in the repository."));
        if (IsTextGeneration(name))
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Model '{name}' is a text-generation model; the generation service loads it."));

        var slot = _models.GetOrAdd(name, n => new ModelSlot(n));
        await slot.Gate.WaitAsync();
        try
        {
            slot.Required |= configured;
            slot.State = ModelStates.Loading;
            slot.Reason = "";
            var previous = slot.Versions;
            try
            {
                var loaded = await Task.Run(() => LoadVersions(name));
                slot.Versions = loaded;
                slot.State = ModelStates.Ready;
                slot.Required = true;
                _logger.LogInformation("Model {Model} ready, versions {Versions}, provider {Provider}",
                    name, string.Join(",", loaded.Keys), _sessions.Provider);
                foreach (var (_, old) in previous) await old.DisposeAsync();
            }
            catch (Exception error)
            {
                slot.Reason = error.Message;
                if (previous.Count > 0)
                {
                    slot.State = ModelStates.Ready; // the versions already serving stay, as Triton keeps them
                    slot.Reason = "reload failed: " + error.Message;
                }
                else
                {
                    slot.State = ModelStates.Unavailable;
                }
                _logger.LogError(error, "Model {Model} failed to load", name);
            }
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    private SortedDictionary<long, ServableModel> LoadVersions(string name)
    {
        var directory = Path.Combine(RootPath, name);
        var config = ModelConfig.Read(Path.Combine(directory, ModelConfig.FileName));
        config.Validate();
        var onDisk = ModelVersionFolders.Find(directory);
        var selected = VersionPolicyConfig.Select(config.VersionPolicy, onDisk);
        if (selected.Count == 0)
            throw new InvalidDataException($"No version folder with a model.onnx matches the version policy (on disk: {string.Join(",", onDisk)}).");

        var loaded = new SortedDictionary<long, ServableModel>();
        try
        {
            foreach (var version in selected)
            {
                loaded[version] = ServableModel.Load(name, version, Path.Combine(directory, version.ToString(CultureInfo.InvariantCulture)),
                    config, _sessions, _metrics, _options.DynamicBatching);
            }
            return loaded;
        }
        catch
        {
            foreach (var (_, model) in loaded) model.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>Records that a model the server must serve could not even be found, so readiness reflects it.</summary>
    public void MarkUnavailable(string name, string reason)
    {
        var slot = _models.GetOrAdd(name, n => new ModelSlot(n));
        slot.Required = true;
        slot.State = ModelStates.Unavailable;
        slot.Reason = reason;
    }

    /// <summary>Stops serving a model; queued requests finish first. It no longer counts for readiness.</summary>
    public async Task UnloadAsync(string name)
    {
        if (!_models.TryGetValue(name, out var slot))
        {
            if (IsValidName(name) && Directory.Exists(Path.Combine(RootPath, name))) return; // not loaded: nothing to do
            throw new RpcException(new Status(StatusCode.NotFound, $"Model '{name}' is not in the repository."));
        }
        await slot.Gate.WaitAsync();
        try
        {
            slot.Required = false;
            slot.State = ModelStates.Unloading;
            var versions = slot.Versions;
            slot.Versions = [];
            foreach (var (_, model) in versions) await model.DisposeAsync();
            slot.State = ModelStates.Unavailable;
            slot.Reason = "unloaded";
            _logger.LogInformation("Model {Model} unloaded", name);
        }
        finally
        {
            slot.Gate.Release();
        }
    }

    /// <summary>The version to serve: the one asked for, or the latest loaded. NOT_FOUND / UNAVAILABLE otherwise.</summary>
    public ServableModel Resolve(string name, string version)
    {
        if (!_models.TryGetValue(name ?? "", out var slot))
        {
            // A text-generation model is served by the generation service: no wait makes it available here.
            if (IsValidName(name) && Directory.Exists(Path.Combine(RootPath, name!)) && IsTextGeneration(name!))
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"Model '{name}' is a text-generation model, served by the TextGeneration service, not by this call."));
            if (IsValidName(name) && Directory.Exists(Path.Combine(RootPath, name!)))
                throw new RpcException(new Status(StatusCode.Unavailable, $"Model '{name}' is not loaded."));
            throw new RpcException(new Status(StatusCode.NotFound, $"Model '{name}' is not in the repository."));
        }
        var versions = slot.Versions;
        if (versions.Count == 0)
        {
            var why = slot.Reason.Length > 0 ? ": " + slot.Reason : "";
            throw new RpcException(new Status(StatusCode.Unavailable, $"Model '{name}' is {slot.State}{why}"));
        }
        if (string.IsNullOrEmpty(version)) return versions.Last().Value;
        if (long.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && versions.TryGetValue(number, out var model))
            return model;
        throw new RpcException(new Status(StatusCode.NotFound,
            $"Version '{version}' of model '{name}' is not available (serving: {string.Join(",", versions.Keys)})."));
    }

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
            var versions = slot.Versions;
            if (versions.Count == 0)
            {
                entries.Add(new ModelIndexEntry(name, "", slot.State, slot.Reason));
                continue;
            }
            foreach (var (_, model) in versions) entries.Add(new ModelIndexEntry(name, model.VersionText, slot.State, slot.Reason));
        }
        return entries;
    }

    public IEnumerable<ServableModel> Loaded() => _models.Values.SelectMany(s => s.Versions.Values);

    private void RegisterGauges()
    {
        var meter = _metrics.Meter;
        meter.CreateObservableGauge("mlstack.inference.pending.requests", () =>
            Loaded().Select(m => new System.Diagnostics.Metrics.Measurement<int>(m.PendingCount, Tags(m.Name, m.VersionText))),
            description: "Requests waiting in a model's queue.");
        meter.CreateObservableGauge("mlstack.inference.model.ready", () =>
            _models.Values.SelectMany(slot => slot.Versions.Count > 0
                ? slot.Versions.Values.Select(m => new System.Diagnostics.Metrics.Measurement<int>(slot.State == ModelStates.Ready ? 1 : 0, Tags(m.Name, m.VersionText)))
                : [new System.Diagnostics.Metrics.Measurement<int>(0, Tags(slot.Name, ""))]),
            description: "1 when the model version is loaded and serving, 0 when it is loading, unloaded or failed to load.");
        meter.CreateObservableGauge("mlstack.inference.execution.provider", () =>
            new System.Diagnostics.Metrics.Measurement<int>(1, new KeyValuePair<string, object?>("provider", _sessions.Provider.ToString().ToLowerInvariant())),
            description: "1 for the ONNX Runtime execution provider models run on (cuda, or cpu as the fallback).");
    }

    private static KeyValuePair<string, object?>[] Tags(string model, string version) =>
        [new("model", model), new("version", version)];

    private static bool IsValidName(string? name) =>
        !string.IsNullOrWhiteSpace(name) && name.IndexOfAny(Path.GetInvalidFileNameChars()) < 0 && name is not ("." or "..");

    public async ValueTask DisposeAsync()
    {
        foreach (var model in Loaded().ToArray()) await model.DisposeAsync();
        _models.Clear();
    }

    private sealed class ModelSlot(string name)
    {
        public string Name { get; } = name;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public volatile string State = ModelStates.Loading;
        public volatile string Reason = "";
        public volatile bool Required;
        public volatile SortedDictionary<long, ServableModel> Versions = [];
    }
}
