using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.UnitTests.Runtime;

public sealed class StackRuntimeSelectorTests
{
    [Fact]
    public void AutoUsesContainersWhenAnEngineAnswers()
    {
        var (kind, reason) = StackRuntimeSelector.Select(StackRuntimeSetting.Auto, isPublishMode: false, () => true);

        Assert.Equal(StackRuntimeKind.Containers, kind);
        Assert.Contains("container engine answered", reason);
    }

    [Fact]
    public void AutoUsesProcessesWithoutAnEngine()
    {
        var (kind, reason) = StackRuntimeSelector.Select(StackRuntimeSetting.Auto, isPublishMode: false, () => false);

        Assert.Equal(StackRuntimeKind.Processes, kind);
        Assert.Contains("no container engine", reason);
    }

    [Theory]
    [InlineData(StackRuntimeSetting.Containers, StackRuntimeKind.Containers, false)]
    [InlineData(StackRuntimeSetting.Processes, StackRuntimeKind.Processes, true)]
    public void AnExplicitSettingWinsAndNeverProbesTheEngine(StackRuntimeSetting setting, StackRuntimeKind expected, bool engineAnswers)
    {
        var probed = false;

        var (kind, reason) = StackRuntimeSelector.Select(setting, isPublishMode: false, () => probed = engineAnswers);

        Assert.Equal(expected, kind);
        Assert.False(probed);
        Assert.Contains(StackRuntimeOptions.RuntimeSetting, reason);
    }

    [Theory]
    [InlineData(StackRuntimeSetting.Processes)]
    [InlineData(StackRuntimeSetting.Auto)]
    public void PublishingAlwaysModelsContainers(StackRuntimeSetting setting)
    {
        var (kind, reason) = StackRuntimeSelector.Select(setting, isPublishMode: true, () => false);

        Assert.Equal(StackRuntimeKind.Containers, kind);
        Assert.Contains("publishing", reason);
    }

    [Fact]
    public void TheEngineProbeSaysNoWhenTheCliIsMissing()
    {
        Assert.False(ContainerEngineProbe.Answers("mlstack-no-such-container-cli"));
    }
}
