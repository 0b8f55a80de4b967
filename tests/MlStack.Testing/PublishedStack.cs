namespace MlStack.Testing;

/// <summary>The real AppHost model published once, in process, and shared by the output tests.</summary>
public sealed class PublishedStack : IAsyncLifetime
{
    public string OutputDirectory { get; } = AppHostPublishing.NewOutputDirectory();

    public string ComposeDirectory => Path.Combine(OutputDirectory, "compose");

    public string KubernetesDirectory => Path.Combine(OutputDirectory, "k8s");

    public Task InitializeAsync() => AppHostPublishing.PublishInProcessAsync(OutputDirectory);

    public Task DisposeAsync()
    {
        Directory.Delete(OutputDirectory, recursive: true);
        return Task.CompletedTask;
    }
}
