namespace MlStack.Inference.Repository;

/// <summary>
/// A model's place in the repository, the one state machine for every task: LOADING → READY or UNAVAILABLE,
/// READY → LOADING (reload, the versions keep serving) → READY, READY → UNLOADING → UNAVAILABLE. Loads and
/// unloads of one model take turns through <see cref="Gate"/>; readers see one consistent <see cref="Serving"/>.
/// </summary>
internal sealed class ModelSlot(string name)
{
    private volatile string _state = ModelStates.Loading;
    private volatile string _reason = "";
    private volatile ServedVersions _serving = ServedVersions.None;

    public string Name { get; } = name;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public string State => _state;

    public string Reason => _reason;

    /// <summary>Counts for readiness: configured at start, or loaded through the API and not unloaded since.</summary>
    public bool Required { get; private set; }

    /// <summary>The task of the configuration last read for it (null while unknown).</summary>
    public string? Task { get; set; }

    public ServedVersions Serving => _serving;

    public void BeginLoad(bool configured)
    {
        Required |= configured;
        _state = ModelStates.Loading;
        _reason = "";
    }

    public void Serve(ServedVersions versions)
    {
        _serving = versions;
        _reason = "";
        _state = ModelStates.Ready;
        Required = true;
    }

    /// <summary>A failed load: the versions already serving stay, as Triton keeps them; otherwise UNAVAILABLE.</summary>
    public void FailLoad(string reason)
    {
        if (_serving.Versions.Count > 0)
        {
            _reason = "reload failed: " + reason;
            _state = ModelStates.Ready;
        }
        else
        {
            _reason = reason;
            _state = ModelStates.Unavailable;
        }
    }

    /// <summary>A model the server must serve that could not even be tried (say its folder is missing).</summary>
    public void MarkUnavailable(string reason)
    {
        Required = true;
        _reason = reason;
        _state = ModelStates.Unavailable;
    }

    /// <summary>Stops routing to the versions and hands them back for draining.</summary>
    public ServedVersions BeginUnload()
    {
        Required = false;
        _state = ModelStates.Unloading;
        var serving = _serving;
        _serving = ServedVersions.None;
        return serving;
    }

    public void Unloaded()
    {
        _state = ModelStates.Unavailable;
        _reason = "unloaded";
    }
}

/// <summary>The versions a model serves and how requests that name none are shared between them, swapped as one.</summary>
public sealed record ServedVersions(IReadOnlyDictionary<long, ServedVersion> Versions, VersionRouter? Router, ModelConfig? Config)
{
    public static ServedVersions None { get; } = new(new SortedDictionary<long, ServedVersion>(), null, null);
}

/// <summary>A loaded version and what it was loaded from (its settings and files), to tell whether a reload must replace it.</summary>
public sealed record ServedVersion(ILoadedModel Model, string Fingerprint);
