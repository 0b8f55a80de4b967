using Aspire.Hosting.ApplicationModel;

namespace MlStack.Testing;

/// <summary>The real AppHost model published once, in process, and shared by the output tests.</summary>
public sealed class PublishedStack : IAsyncLifetime
{
    public string OutputDirectory { get; } = AppHostPublishing.NewOutputDirectory();

    public string ComposeDirectory => Path.Combine(OutputDirectory, "compose");

    public string KubernetesDirectory => Path.Combine(OutputDirectory, "k8s");

    public string SageMakerDirectory => Path.Combine(OutputDirectory, "sagemaker");

    public string VertexDirectory => Path.Combine(OutputDirectory, "vertex");

    /// <summary>The AppHost model that was published, for checks of the output against the model itself.</summary>
    public DistributedApplicationModel Model { get; private set; } = null!;

    public async Task InitializeAsync() => Model = await AppHostPublishing.PublishInProcessAsync(OutputDirectory);

    public Task DisposeAsync()
    {
        Directory.Delete(OutputDirectory, recursive: true);
        return Task.CompletedTask;
    }
}
