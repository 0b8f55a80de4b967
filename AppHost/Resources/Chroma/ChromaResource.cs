namespace MlStack.AppHost.Resources.Chroma;

/// <summary>
/// A ChromaDB server of the stack, as a container or a local process (the runtime decides, see
/// <c>StackRuntime</c>). Only the vector proxy should reference it: Chroma 1.x has no auth.
/// </summary>
public interface IChromaResource : IResourceWithEndpoints;

/// <summary>Chroma as the pinned <c>chromadb/chroma</c> image; always the published form.</summary>
public sealed class ChromaContainerResource(string name) : ContainerResource(name), IChromaResource;

/// <summary>Chroma as the npm <c>chromadb</c> CLI run by node, for machines without a container engine.</summary>
public sealed class ChromaProcessResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IChromaResource;
