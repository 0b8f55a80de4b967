namespace MlStack.AppHost.Runtime;

/// <summary>How the third-party components (Chroma, Prometheus) run.</summary>
public enum StackRuntimeKind
{
    /// <summary>Pinned container images with named volumes; always the case when publishing.</summary>
    Containers,

    /// <summary>Real local processes (npm chromadb, Debian prometheus) for machines without a container engine.</summary>
    Processes,
}
