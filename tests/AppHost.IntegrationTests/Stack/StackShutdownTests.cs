using System.Net.Http.Json;
using System.Text.Json;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Stack;

/// <summary>
/// Stopping the app must not leave Chroma or Prometheus running, and their data must survive a restart. This test
/// starts its own stack twice because it stops it; test collections run one after another (see AssemblyInfo.cs), so
/// it never runs beside the shared stack.
/// </summary>
[Collection("Stack shutdown")]
public sealed class StackShutdownTests(ITestOutputHelper output)
{
    private const string CollectionsPath = "/api/v2/tenants/default_tenant/databases/default_database/collections";
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StoppingLeavesNoChromaOrPrometheusProcessAndARestartKeepsTheData()
    {
        var collection = $"restart-{Guid.NewGuid():N}";
        var first = await StackApp.StartAsync();
        try
        {
            output.WriteLine($"Cold start to all healthy: {first.ColdStart.TotalSeconds:F1} s");
            var running = LocalProcesses.Mentioning(first.StateDirectory);
            Assert.Contains(running, p => p.CommandLine.Contains("chromadb", StringComparison.Ordinal));
            Assert.Contains(running, p => p.CommandLine.Contains("prometheus", StringComparison.Ordinal));
            Assert.Equal(["chroma", "prometheus"], first.ProcessIds.Keys.Order());
            Assert.All(first.ProcessIds.Values, pid => Assert.True(LocalProcesses.IsRunning(pid), $"pid {pid}"));
            await CreateChromaCollectionAsync(first, collection);

            await AssertStopsCleanlyAsync(first);

            await using var second = await StackApp.StartAsync(first.StateDirectory);
            output.WriteLine($"Restart to all healthy: {second.ColdStart.TotalSeconds:F1} s");
            Assert.Contains(collection, await ListChromaCollectionsAsync(second));
            await AssertStopsCleanlyAsync(second);
        }
        finally
        {
            await first.DisposeAsync();
            first.DeleteState();
        }
    }

    private static async Task AssertStopsCleanlyAsync(StackApp stack)
    {
        await stack.DisposeAsync();

        var left = await LocalProcesses.WaitUntilNoneMentionAsync(stack.StateDirectory, StopGrace);
        Assert.True(left.Count == 0, "Still running after stop: " + string.Join("; ", left.Select(p => $"{p.Pid} {p.CommandLine}")));
        Assert.All(stack.ProcessIds, p => Assert.False(LocalProcesses.IsRunning(p.Value), $"{p.Key} (pid {p.Value}) is still running"));
    }

    private static async Task CreateChromaCollectionAsync(StackApp stack, string name)
    {
        using var http = new HttpClient { BaseAddress = stack.Endpoint("chroma"), Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.PostAsJsonAsync(CollectionsPath, new { name });
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<string[]> ListChromaCollectionsAsync(StackApp stack)
    {
        using var http = new HttpClient { BaseAddress = stack.Endpoint("chroma"), Timeout = TimeSpan.FromSeconds(30) };
        using var json = JsonDocument.Parse(await http.GetStringAsync(CollectionsPath));
        return json.RootElement.EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToArray();
    }
}
