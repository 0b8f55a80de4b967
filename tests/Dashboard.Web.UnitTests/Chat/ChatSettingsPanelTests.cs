using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlStack.Dashboard.Components.Pages.Chat;
using MlStack.Dashboard.Services.AppData;
using MlStack.Dashboard.Services.Chat;

namespace MlStack.Dashboard.UnitTests.Chat;

/// <summary>The settings panel's switches for JSON mode and for how answers from documents find their passages.</summary>
public sealed class ChatSettingsPanelTests : DashboardComponentContext
{
    private readonly string folder = Directory.CreateTempSubdirectory("mlstack-settings-panel-").FullName;

    public ChatSettingsPanelTests()
    {
        var data = new AppDataFolder(Options.Create(new AppDataOptions { DataDirectory = folder }), new TestHostEnvironment(folder));
        Services.AddSingleton(new ChatEndpointStore(data, new EphemeralDataProtectionProvider(), Options.Create(new ChatEndpointOptions())));
        Services.AddHttpClient();
        Services.AddSingleton(sp => new ChatEndpointProbe(sp.GetRequiredService<IHttpClientFactory>(), NullLogger<ChatEndpointProbe>.Instance));
    }

    [Fact]
    public void Json_mode_and_search_by_tool_call_are_settings_that_are_saved_when_changed()
    {
        var settings = new ChatSettings();
        var changes = 0;
        var cut = Render<ChatSettingsPanel>(p => p
            .Add(c => c.Settings, settings)
            .Add(c => c.Backends, new ChatBackendList([], null))
            .Add(c => c.OnChanged, () => changes++));

        Assert.False(settings.JsonMode);
        Assert.False(settings.SearchDocumentsByToolCall);
        cut.Find("input[data-testid=json-mode]").Change(true);
        cut.Find("input[data-testid=documents-mode-tool]").Click();

        Assert.True(settings.JsonMode);
        Assert.True(settings.SearchDocumentsByToolCall);
        Assert.Equal(2, changes);
        Assert.Contains("The model's own searches (tool call)", cut.Markup);
    }

    protected override void CleanUp() => Directory.Delete(folder, recursive: true);
}
