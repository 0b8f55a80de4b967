namespace MlStack.Inference.Repository;

/// <summary>
/// Loads model versions of some tasks (model.json "task"). The repository scans the folder once and hands each
/// version to the loader of its task; features register their loader with the dependency container.
/// </summary>
public interface IModelLoader
{
    IReadOnlyCollection<string> Tasks { get; }

    /// <summary>Creates the version's session(s) and warms it up; throws with the reason when it cannot.</summary>
    ILoadedModel Load(ModelVersionSource source);
}

/// <summary>One version folder to load and the configuration it is loaded with.</summary>
public sealed record ModelVersionSource(string Name, long Version, string Directory, ModelConfig Config)
{
    public string VersionText => Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
