namespace MlStack.AppHost.Runtime;

/// <summary>
/// Chooses containers or processes. MlStack:Runtime set to containers or processes wins; auto (the default) uses
/// containers only when a container engine answers. Publishing always models containers.
/// </summary>
public static class StackRuntimeSelector
{
    public static (StackRuntimeKind Kind, string Reason) Select(StackRuntimeSetting setting, bool isPublishMode, Func<bool> containerEngineAnswers)
    {
        if (isPublishMode)
        {
            return (StackRuntimeKind.Containers, "publishing always models containers");
        }
        return setting switch
        {
            StackRuntimeSetting.Auto => containerEngineAnswers()
                ? (StackRuntimeKind.Containers, "a container engine answered")
                : (StackRuntimeKind.Processes, "no container engine answered; running Chroma and Prometheus as local processes"),
            StackRuntimeSetting.Containers => (StackRuntimeKind.Containers, $"{StackRuntimeOptions.RuntimeSetting}=containers"),
            StackRuntimeSetting.Processes => (StackRuntimeKind.Processes, $"{StackRuntimeOptions.RuntimeSetting}=processes"),
            _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, null),
        };
    }
}
