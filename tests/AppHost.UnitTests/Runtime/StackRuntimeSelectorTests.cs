using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.UnitTests.Runtime;

public sealed class StackRuntimeSelectorTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("auto")]
    [InlineData(" Auto ")]
    public void AutoUsesContainersWhenAnEngineAnswers(string? setting)
    {
        var (kind, reason) = StackRuntimeSelector.Select(setting, isPublishMode: false, () => true);

        Assert.Equal(StackRuntimeKind.Containers, kind);
        Assert.Contains("container engine answered", reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("auto")]
    public void AutoUsesProcessesWithoutAnEngine(string? setting)
    {
        var (kind, reason) = StackRuntimeSelector.Select(setting, isPublishMode: false, () => false);

        Assert.Equal(StackRuntimeKind.Processes, kind);
        Assert.Contains("no container engine", reason);
    }

    [Theory]
    [InlineData("containers", StackRuntimeKind.Containers, false)]
    [InlineData("CONTAINERS", StackRuntimeKind.Containers, false)]
    [InlineData("processes", StackRuntimeKind.Processes, true)]
    [InlineData("Processes", StackRuntimeKind.Processes, true)]
    public void AnExplicitSettingWinsAndNeverProbesTheEngine(string setting, StackRuntimeKind expected, bool engineAnswers)
    {
        var probed = false;

        var (kind, reason) = StackRuntimeSelector.Select(setting, isPublishMode: false, () => probed = engineAnswers);

        Assert.Equal(expected, kind);
        Assert.False(probed);
        Assert.Contains(StackRuntimeSelector.SettingName, reason);
    }

    [Theory]
    [InlineData("processes")]
    [InlineData("auto")]
    [InlineData(null)]
    public void PublishingAlwaysModelsContainers(string? setting)
    {
        var (kind, reason) = StackRuntimeSelector.Select(setting, isPublishMode: true, () => false);

        Assert.Equal(StackRuntimeKind.Containers, kind);
        Assert.Contains("publishing", reason);
    }

    [Fact]
    public void AnInvalidSettingNamesTheAllowedValues()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => StackRuntimeSelector.Select("docker", isPublishMode: false, () => true));

        Assert.Equal("MlStack:Runtime is 'docker', but it must be one of: auto, containers, processes.", error.Message);
    }

    [Fact]
    public void TheEngineProbeSaysNoWhenTheCliIsMissing()
    {
        Assert.False(ContainerEngineProbe.Answers("mlstack-no-such-container-cli"));
    }
}
