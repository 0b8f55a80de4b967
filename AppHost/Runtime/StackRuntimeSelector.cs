namespace MlStack.AppHost.Runtime;

/// <summary>
/// Chooses containers or processes. Setting MlStack:Runtime to "containers" or "processes" wins; "auto" (the default)
/// uses containers only when a container engine answers. Publishing always models containers.
/// </summary>
public static class StackRuntimeSelector
{
    public const string SettingName = "MlStack:Runtime";

    public static (StackRuntimeKind Kind, string Reason) Select(string? setting, bool isPublishMode, Func<bool> containerEngineAnswers)
    {
        if (isPublishMode)
        {
            return (StackRuntimeKind.Containers, "publishing always models containers");
        }

        switch (setting?.Trim().ToLowerInvariant())
        {
            case null or "" or "auto":
                return containerEngineAnswers()
                    ? (StackRuntimeKind.Containers, "a container engine answered")
                    : (StackRuntimeKind.Processes, "no container engine answered; running Chroma and Prometheus as local processes");
            case "containers":
                return (StackRuntimeKind.Containers, $"{SettingName}=containers");
            case "processes":
                return (StackRuntimeKind.Processes, $"{SettingName}=processes");
            default:
                throw new InvalidOperationException(
                    $"{SettingName} is '{setting}', but it must be one of: auto, containers, processes.");
        }
    }
}
