using Microsoft.Extensions.Configuration;
using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.UnitTests.Runtime;

/// <summary>MlStack:Runtime is bound as an enum from any configuration source, with one clear line for a bad value.</summary>
public sealed class StackRuntimeOptionsTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("auto", StackRuntimeSetting.Auto)]
    [InlineData(" Auto ", StackRuntimeSetting.Auto)]
    [InlineData("containers", StackRuntimeSetting.Containers)]
    [InlineData("CONTAINERS", StackRuntimeSetting.Containers)]
    [InlineData("Processes", StackRuntimeSetting.Processes)]
    public void TheSettingBindsCaseInsensitively(string? value, StackRuntimeSetting? expected)
    {
        Assert.Equal(expected, StackRuntimeOptions.Bind(Configuration(("MlStack:Runtime", value))).Runtime);
    }

    [Theory]
    [InlineData("docker")]
    [InlineData("1")]
    [InlineData("containers,processes")]
    [InlineData("  ")]
    public void AnInvalidSettingNamesTheAllowedValues(string value)
    {
        var error = Assert.Throws<StackCannotStartException>(() => StackRuntimeOptions.Bind(Configuration(("MlStack:Runtime", value))));

        Assert.Equal($"MlStack:Runtime is '{value}', but it must be one of: auto, containers, processes.", error.Message);
    }

    [Fact]
    public void TheFoldersBindFromTheSameSection()
    {
        var options = StackRuntimeOptions.Bind(Configuration(("MlStack:StateDirectory", "/var/mlstack"), ("MlStack:ToolsDirectory", "/opt/tools")));

        Assert.Equal(("/var/mlstack", "/opt/tools"), (options.StateDirectory, options.ToolsDirectory));
        Assert.Null(options.Runtime);
    }

    [Fact]
    public void TheEnvironmentVariableFormBinds()
    {
        Environment.SetEnvironmentVariable("MLSTACK_TEST_MlStack__Runtime", "processes");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables("MLSTACK_TEST_").Build();
            Assert.Equal(StackRuntimeSetting.Processes, StackRuntimeOptions.Bind(configuration).Runtime);
        }
        finally
        {
            Environment.SetEnvironmentVariable("MLSTACK_TEST_MlStack__Runtime", null);
        }
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))).Build();
}
