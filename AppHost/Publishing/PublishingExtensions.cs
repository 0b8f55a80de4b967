#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004 // Aspire's pipeline API is marked for evaluation.
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlStack.AppHost.Publishing.Compose;
using MlStack.AppHost.Publishing.Kubernetes;
using MlStack.AppHost.Publishing.SageMaker;
using MlStack.AppHost.Publishing.Vertex;

namespace MlStack.AppHost.Publishing;

public static class PublishingExtensions
{
    public const string ComposeStep = "publish-compose";
    public const string KubernetesStep = "publish-kubernetes";
    public const string SageMakerStep = "publish-sagemaker";
    public const string VertexStep = "publish-vertex";
    public const string ComposeDirectory = "compose";
    public const string KubernetesDirectory = "k8s";
    public const string SageMakerDirectory = "sagemaker";
    public const string VertexDirectory = "vertex";

    /// <summary>
    /// Adds the publishers as steps of Aspire's publish pipeline: `aspire publish -o out` (or `--operation publish
    /// --step publish --output-path out`) writes out/compose and out/k8s, and out/sagemaker and out/vertex for the
    /// resources published as model endpoints. No step builds images or talks to a container engine or a cloud.
    /// </summary>
    public static IDistributedApplicationBuilder AddMlStackPublishers(this IDistributedApplicationBuilder builder)
    {
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var publishOptions = Bind<PublishOptions>(builder, PublishOptions.SectionName);
        var kubernetesOptions = Bind<KubernetesPublishOptions>(builder, KubernetesPublishOptions.SectionName);
        var sageMakerOptions = Bind<SageMakerPublishOptions>(builder, SageMakerPublishOptions.SectionName);
        var vertexOptions = Bind<VertexPublishOptions>(builder, VertexPublishOptions.SectionName);
        if (builder.ExecutionContext.IsPublishMode)
        {
            publishOptions.Validate();
            kubernetesOptions.Validate();
            sageMakerOptions.Validate();
            vertexOptions.Validate();
        }

        // Both steps publish the same model; it is read once (they may run in parallel).
        Task<DeploymentModel>? read = null;
        var gate = new object();
        Task<DeploymentModel> ReadOnceAsync(PipelineStepContext context)
        {
            lock (gate)
            {
                return read ??= new DeploymentModelReader(context.Model, context.ExecutionContext, repositoryRoot, publishOptions.ImageTag, context.Logger)
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
            var model = await ReadOnceAsync(context);
            var output = OutputDirectory(context, KubernetesDirectory);
            await WriteAsync(context, output, new KubernetesPublisher(model, kubernetesOptions).Render());
        }, requiredBy: WellKnownPipelineSteps.Publish);

        builder.Pipeline.AddStep(SageMakerStep, async context =>
        {
            var model = await ReadOnceAsync(context);
            await WriteAsync(context, OutputDirectory(context, SageMakerDirectory), new SageMakerPublisher(model, sageMakerOptions).Render());
        }, requiredBy: WellKnownPipelineSteps.Publish);

        builder.Pipeline.AddStep(VertexStep, async context =>
        {
            var model = await ReadOnceAsync(context);
            await WriteAsync(context, OutputDirectory(context, VertexDirectory), new VertexPublisher(model, vertexOptions).Render());
        }, requiredBy: WellKnownPipelineSteps.Publish);

        return builder;
    }

    private static T Bind<T>(IDistributedApplicationBuilder builder, string section) where T : new() =>
        builder.Configuration.GetSection(section).Get<T>() ?? new T();

    private static string OutputDirectory(PipelineStepContext context, string directory) =>
        Path.Combine(context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory(), directory);

    /// <summary>Overwrites the generated files only: an operator's .env or secrets.env next to them survives.</summary>
    private static async Task WriteAsync(PipelineStepContext context, string output, IReadOnlyDictionary<string, string> files)
    {
        if (files.Count == 0)
        {
            return;
        }
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(output, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, context.CancellationToken);
        }
        context.Logger.LogInformation("Wrote {Count} files to {Output}", files.Count, output);
        context.Summary.Add(Path.GetFileName(output), output);
    }
}
