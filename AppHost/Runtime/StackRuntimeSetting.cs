namespace MlStack.AppHost.Runtime;

/// <summary>The value of MlStack:Runtime: how Chroma and Prometheus should run.</summary>
public enum StackRuntimeSetting
{
    /// <summary>Containers when a container engine answers, otherwise processes.</summary>
    Auto,

    Containers,

    Processes,
}
