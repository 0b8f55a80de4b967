using System.Net;
using System.Text.Json;
using Aspire.Hosting;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Stack;

[Collection(StackCollection.Name)]
public sealed class StackHealthTests(StackFixture fixture, ITestOutputHelper output)
{
    private StackApp Stack => fixture.Stack;

    [Fact]
    public void EveryResourceIsHealthy()
    {
        output.WriteLine($"Cold start to all healthy: {Stack.ColdStart.TotalSeconds:F1} s ({Environment.ProcessorCount} cores); StartAsync returned after {Stack.StartReturnedAfter.TotalSeconds:F1} s");
        foreach (var (name, after) in Stack.HealthyAfter.OrderBy(p => p.Value))
        {
            output.WriteLine($"  {name} healthy after {after.TotalSeconds:F1} s");
        }
        Assert.Equal(StackApp.ResourceNames.Order(), Stack.HealthyAfter.Keys.Order());
        Assert.All(StackApp.ResourceNames, name => Assert.Contains("Healthy", Stack.DescribeStates().Split("; ").Single(s => s.StartsWith(name + "="))));
    }

    [Fact]
    public async Task ChromaHeartbeatAnswers()
    {
        using var http = new HttpClient { BaseAddress = Stack.Endpoint("chroma"), Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync("/api/v2/heartbeat");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(body);
        Assert.True(json.RootElement.GetProperty("nanosecond heartbeat").GetInt64() > 0, body);
    }

    [Fact]
    public void ChromaKeepsItsDataInTheStateFolder()
    {
        var chromaData = Path.Combine(Stack.StateDirectory, "chroma");
        Assert.True(Directory.Exists(chromaData), chromaData);
        Assert.NotEmpty(Directory.EnumerateFileSystemEntries(chromaData));
        Assert.Contains(
            LocalProcesses.Mentioning(chromaData),
            p => p.CommandLine.Contains("chromadb", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PrometheusScrapesEveryServiceJob()
    {
        using var http = new HttpClient { BaseAddress = Stack.Endpoint("prometheus"), Timeout = TimeSpan.FromSeconds(10) };

        var up = await Polling.UntilAsync(
            () => QueryUpAsync(http),
            values => StackApp.ServiceJobs.All(job => values.GetValueOrDefault(job) == "1"),
            TimeSpan.FromSeconds(60));

        output.WriteLine(string.Join(", ", up.Select(p => $"{p.Key}={p.Value}")));
        Assert.All(StackApp.ServiceJobs, job => Assert.Equal("1", up.GetValueOrDefault(job)));
    }

    [Fact]
    public async Task PrometheusConfigurationIsGeneratedFromTheAppModel()
    {
        var config = await File.ReadAllTextAsync(Path.Combine(Stack.StateDirectory, "prometheus", "config", "prometheus.yml"));
        foreach (var job in StackApp.ServiceJobs)
        {
            var port = Stack.Endpoint(job).Port;
            Assert.Contains($"job_name: \"{job}\"", config);
            Assert.Contains($"\"localhost:{port}\"", config);
        }
    }

    [Fact]
    public async Task InferenceGrpcHealthIsServing()
    {
        using var channel = GrpcChannel.ForAddress(Stack.Endpoint("inference", "grpc"));
        var client = new Health.HealthClient(channel);

        var response = await client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Theory]
    [InlineData("inference")]
    [InlineData("vectors")]
    [InlineData("dashboard")]
    public async Task ServiceAnswersHealthAndAlive(string service)
    {
        using var http = new HttpClient { BaseAddress = Stack.Endpoint(service), Timeout = TimeSpan.FromSeconds(10) };

        using var health = await http.GetAsync("/health");
        using var alive = await http.GetAsync("/alive");
        var report = await health.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        using var json = JsonDocument.Parse(report);
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        if (service == "vectors")
        {
            // The proxy is ready only while Chroma's heartbeat answers.
            Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(),
                c => c.GetProperty("name").GetString() == "chroma" && c.GetProperty("status").GetString() == "Healthy");
        }
    }

    private static async Task<Dictionary<string, string>> QueryUpAsync(HttpClient http)
    {
        try
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync("/api/v1/query?query=up"));
            return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
                .ToDictionary(
                    r => r.GetProperty("metric").GetProperty("job").GetString()!,
                    r => r.GetProperty("value")[1].GetString()!);
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }
}
