#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004 // Aspire's pipeline API is marked for evaluation.
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlStack.AppHost.Publishing.Compose;
using MlStack.AppHost.Publishing.Kubernetes;

namespace MlStack.AppHost.Publishing;

public static class PublishingExtensions
{
    public const string ComposeStep = "publish-compose";
    public const string KubernetesStep = "publish-kubernetes";
    public const string ComposeDirectory = "compose";
    public const string KubernetesDirectory = "k8s";

    /// <summary>
    /// Adds the compose and Kubernetes publishers as steps of Aspire's publish pipeline: `aspire publish -o out`
    /// (or `--operation publish --step publish --output-path out`) writes out/compose and out/k8s. Neither step
    /// builds images or talks to a container engine.
    /// </summary>
    public static IDistributedApplicationBuilder AddMlStackPublishers(this IDistributedApplicationBuilder builder)
    {
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var kubernetesOptions = builder.Configuration.GetSection(KubernetesPublishOptions.SectionName).Get<KubernetesPublishOptions>()
            ?? new KubernetesPublishOptions();

        // Both steps publish the same model; it is read once (they may run in parallel).
        Task<DeploymentModel>? read = null;
        var gate = new object();
        Task<DeploymentModel> ReadOnceAsync(PipelineStepContext context)
        {
            lock (gate)
            {
                return read ??= new DeploymentModelReader(context.Model, context.ExecutionContext, repositoryRoot, context.Logger)
                    .ReadAsync(context.CancellationToken);
            }
        }

        builder.Pipeline.AddStep(ComposeStep, async context =>
        {
            var model = await ReadOnceAsync(context);
            var output = OutputDirectory(context, ComposeDirectory);
            await WriteAsync(context, output, new ComposePublisher(model, repositoryRoot).Render(output));
        }, requiredBy: WellKnownPipelineSteps.Publish);

        builder.Pipeline.AddStep(KubernetesStep, async context =>
        {
            kubernetesOptions.Validate();
            var model = await ReadOnceAsync(context);
            var output = OutputDirectory(context, KubernetesDirectory);
            await WriteAsync(context, output, new KubernetesPublisher(model, kubernetesOptions).Render());
        }, requiredBy: WellKnownPipelineSteps.Publish);

        return builder;
    }

    private static string OutputDirectory(PipelineStepContext context, string directory) =>
        Path.Combine(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory(), directory);

    /// <summary>Overwrites the generated files only: an operator's .env or secrets.env next to them survives.</summary>
    private static async Task WriteAsync(PipelineStepContext context, string output, IReadOnlyDictionary<string, string> files)
    {
        Directory.CreateDirectory(output);
        foreach (var (name, content) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(output, name), content, context.CancellationToken);
        }
        context.Logger.LogInformation("Wrote {Count} files to {Output}", files.Count, output);
        context.Summary.Add(Path.GetFileName(output), output);
    }
}
