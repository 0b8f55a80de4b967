namespace MlStack.AppHost.Publishing.Annotations;

/// <summary>
/// A file the resource reads from <see cref="TargetDirectory"/> in its container, rendered from the app model by a
/// callback (Prometheus's prometheus.yml from its scrape targets). The publishers write it beside their output and
/// mount it read-only, so a resource that needs a generated file needs no publisher change.
/// </summary>
/// <remarks>
/// Not Aspire's WithContainerFiles: that copies files into containers in run mode only, and its callback cannot ask
/// how another resource is addressed in a published network.
/// </remarks>
public sealed class ConfigFileAnnotation(string fileName, string targetDirectory, Func<ConfigFileContext, Task<string>> render) : IResourceAnnotation
{
    public string FileName { get; } = fileName;

    /// <summary>An absolute directory inside the container.</summary>
    public string TargetDirectory { get; } = targetDirectory;

    public Task<string> RenderAsync(ConfigFileContext context) => render(context);
}
