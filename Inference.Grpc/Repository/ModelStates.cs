namespace MlStack.Inference.Repository;

/// <summary>Load states as the repository extension names them.</summary>
public static class ModelStates
{
    public const string Ready = "READY";
    public const string Loading = "LOADING";
    public const string Unloading = "UNLOADING";
    public const string Unavailable = "UNAVAILABLE";
}
