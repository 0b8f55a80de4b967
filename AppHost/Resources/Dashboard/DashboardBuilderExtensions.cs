using Microsoft.Extensions.Configuration;
using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.Resources.Dashboard;

public static class DashboardBuilderExtensions
{
    /// <summary>Where the dashboard's data folder is mounted in its container (tools/container/aspnet.Dockerfile creates it).</summary>
    public const string ContainerDataPath = "/app/data";

    /// <summary>The AppHost setting that may turn sign-in off, in the local run only.</summary>
    public const string RequireSignInSetting = "Dashboard:RequireSignIn";

    /// <summary>
    /// Sign-in with the access key. Published output always requires it; the local run requires it unless
    /// Dashboard:RequireSignIn=false is given to the AppHost (e.g. ./mlstack run Dashboard:RequireSignIn=false).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSignIn(this IResourceBuilder<ProjectResource> dashboard, IResourceBuilder<ParameterResource> accessKey)
    {
        var builder = dashboard.ApplicationBuilder;
        var required = builder.ExecutionContext.IsPublishMode || builder.Configuration.GetValue(RequireSignInSetting, defaultValue: true);
        return dashboard
            .WithEnvironment("Dashboard__AccessKey", accessKey)
            .WithEnvironment("Dashboard__RequireSignIn", required ? "true" : "false");
    }

    /// <summary>
    /// The dashboard's data folder (comparison tally, sign-in keys): a named volume when published, a folder of the
    /// state directory in the local run, so it survives restarts either way.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithDataFolder(this IResourceBuilder<ProjectResource> dashboard, StackRuntime runtime)
    {
        if (dashboard.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            dashboard.WithAnnotation(new ContainerMountAnnotation(
                $"mlstack-{dashboard.Resource.Name}-data", ContainerDataPath, ContainerMountType.Volume, isReadOnly: false));
            return dashboard.WithEnvironment("Dashboard__DataDirectory", ContainerDataPath);
        }
        return dashboard.WithEnvironment("Dashboard__DataDirectory", runtime.StatePath(dashboard.Resource.Name));
    }
}
