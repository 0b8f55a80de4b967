using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using MlStack.AppHost.Publishing;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Publishing.Compose;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Publishing;

/// <summary>
/// tools/container/healthcheck.sh run by real bash against a real Kestrel server: as MlStack's images run it, and
/// as the published compose file runs its lines in images that have bash but not the script (Chroma).
/// </summary>
public sealed class HealthCheckScriptTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly string Script = Path.Combine(RepositoryPaths.Root, MlStackImages.HealthCheckScript);

    private readonly int _port = FreePort.Next();
    private WebApplication? _server;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        // The services' appsettings.json files sit in this test's output, and their Kestrel endpoints would win.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection([KeyValuePair.Create<string, string?>("urls", $"http://127.0.0.1:{_port}")]);
        _server = builder.Build();
        _server.MapGet("/health", () => Results.Ok("Healthy"));
        _server.MapGet("/starting", () => Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server!.DisposeAsync();
    }

    [Theory]
    [InlineData("/health", 0)]
    [InlineData("/starting", 1)]
    [InlineData("/no-such-path", 1)]
    public async Task The_script_passes_only_on_a_200(string path, int expected)
    {
        var run = await ChildProcess.RunAsync("bash", [Script, $"{_port}", path], Bound);

        Assert.True(run.ExitCode == expected, $"exit {run.ExitCode}, expected {expected}:\n{run.Output}");
    }

    [Fact]
    public async Task The_script_fails_when_nothing_listens()
    {
        var run = await ChildProcess.RunAsync("bash", [Script, $"{FreePort.Next()}", "/health"], Bound);

        Assert.Equal(1, run.ExitCode);
    }

    [Fact]
    public async Task The_script_names_its_arguments_when_called_wrongly()
    {
        var run = await ChildProcess.RunAsync("bash", [Script, $"{_port}"], Bound);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("usage: mlstack-healthcheck PORT PATH", run.StandardError);
    }

    [Theory]
    [InlineData("/health", 0)]
    [InlineData("/starting", 1)]
    public async Task The_compose_form_for_bash_images_runs_the_same_script(string path, int expected)
    {
        var command = HealthProbeCommand.For(HealthProbeTool.Bash, _port, path);
        Assert.Equal(["CMD", "bash", "-c"], command.Take(3));

        var run = await ChildProcess.RunAsync(command[1], command.Skip(2), Bound);

        Assert.True(run.ExitCode == expected, $"exit {run.ExitCode}, expected {expected}:\n{run.Output}");
        Assert.Contains("/dev/tcp/127.0.0.1/", command[3]);
        Assert.DoesNotContain("health check of every MlStack image", command[3]); // comments are left out
    }
}
