using MlStack.Dashboard.Components;
using MlStack.Dashboard.Services.Chat;
using MlStack.Dashboard.Services.Markdown;
using MudBlazor.Services;

namespace Microsoft.Extensions.Hosting;

public static class UserInterfaceExtensions
{
    /// <summary>Interactive server rendering (the vectors key and every backend call stay on the server), MudBlazor and Markdown.</summary>
    public static WebApplicationBuilder AddUserInterface(this WebApplicationBuilder builder)
    {
        // The circuit's message limit is raised from 32 KB to a bound the page enforces before sending (ChatLimits):
        // a message at the length limit fits it, and stored history is read in pieces well below it.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(hub => hub.MaximumReceiveMessageSize = ChatLimits.MaxCircuitMessageBytes);
        builder.Services.AddMudServices();
        builder.Services.AddSingleton<MarkdownRenderer>();
        builder.Services.AddHttpContextAccessor();
        return builder;
    }

    public static WebApplication MapUserInterface(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .RequireSignInWhenEnabled(app);
        app.MapComparisonExport().RequireSignInWhenEnabled(app);
        app.MapSignOut();
        return app;
    }
}
