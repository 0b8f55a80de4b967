namespace MlStack.AppHost.Runtime;

/// <summary>The runtime chosen at start, and where local processes keep their state.</summary>
/// <param name="Kind">Containers or processes.</param>
/// <param name="Reason">Why this kind was chosen, for the log.</param>
/// <param name="StateDirectory">Data of Chroma and Prometheus when they run as processes; survives restarts.</param>
/// <param name="ToolsDirectory">Where the npm-installed Chroma server lives (tools/chroma).</param>
public sealed record StackRuntime(StackRuntimeKind Kind, string Reason, string StateDirectory, string ToolsDirectory)
{
    public string StatePath(params string[] parts) => Path.Combine([StateDirectory, .. parts]);
}
