namespace MlStack.AppHost.Tests.Integration;

/// <summary>
/// Stopping the app must not leave Chroma or Prometheus running. This test starts its own stack because it
/// stops it. Test collections run one after another (see AssemblyInfo.cs), so it never runs beside the shared stack.
/// </summary>
[Collection("Stack shutdown")]
public sealed class StackShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task StoppingTheAppLeavesNoChromaOrPrometheusProcess()
    {
        var stack = await StackApp.StartAsync();
        try
        {
            output.WriteLine($"Cold start to all healthy: {stack.ColdStart.TotalSeconds:F1} s");
            var running = LocalProcesses.Mentioning(stack.StateDirectory);
            Assert.Contains(running, p => p.CommandLine.Contains("chromadb", StringComparison.Ordinal));
            Assert.Contains(running, p => p.CommandLine.Contains("prometheus", StringComparison.Ordinal));
            Assert.Equal(["chroma", "prometheus"], stack.ProcessIds.Keys.Order());
            Assert.All(stack.ProcessIds.Values, pid => Assert.True(LocalProcesses.IsRunning(pid), $"pid {pid}"));

            await stack.DisposeAsync();

            var left = await LocalProcesses.WaitUntilNoneMentionAsync(stack.StateDirectory, TimeSpan.FromSeconds(30));
            Assert.True(left.Count == 0, "Still running after stop: " + string.Join("; ", left.Select(p => $"{p.Pid} {p.CommandLine}")));
            Assert.All(stack.ProcessIds, p => Assert.False(LocalProcesses.IsRunning(p.Value), $"{p.Key} (pid {p.Value}) is still running"));
        }
        finally
        {
            await stack.DisposeAsync();
            stack.DeleteState();
        }
    }
}
