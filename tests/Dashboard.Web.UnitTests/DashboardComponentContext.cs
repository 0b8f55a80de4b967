using Microsoft.Extensions.DependencyInjection;
using MlStack.Dashboard.Services.Markdown;
using MudBlazor.Services;

namespace MlStack.Dashboard.UnitTests;

/// <summary>
/// A bUnit context with what the dashboard's components need: MudBlazor, the Markdown renderer, and JS calls accepted.
/// Disposed asynchronously: MudBlazor's services are IAsyncDisposable only.
/// </summary>
public abstract class DashboardComponentContext : BunitContext, IAsyncLifetime
{
    protected DashboardComponentContext()
    {
        Services.AddMudServices();
        Services.AddSingleton<MarkdownRenderer>();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        CleanUp();
    }

    /// <summary>Removes what a test left on disk, after the components are gone.</summary>
    protected virtual void CleanUp()
    {
    }
}
