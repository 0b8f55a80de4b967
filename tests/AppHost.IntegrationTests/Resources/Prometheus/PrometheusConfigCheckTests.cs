using MlStack.AppHost.Resources.Prometheus;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Resources.Prometheus;

/// <summary>promtool loads prometheus.yml as the server would: the file published for the real model, and awkward names.</summary>
public sealed class PrometheusConfigCheckTests(PublishedStack stack) : IClassFixture<PublishedStack>
{
    [Fact]
    public Task PromtoolAcceptsThePublishedConfiguration() =>
        Promtool.AssertConfigAcceptedAsync(Path.Combine(stack.ComposeDirectory, PrometheusBuilderExtensions.ConfigFileName));

    [Fact]
    public async Task PromtoolAcceptsQuotedNamesAndPaths()
    {
        using var directory = new TestDirectory();
        var file = Path.Combine(directory.Path, PrometheusBuilderExtensions.ConfigFileName);
        ScrapeJob[] jobs =
        [
            new("job \"quoted\" \\ name", "[::1]:9100", "/a path/metrics"),
            new("host-side", "host.docker.internal:5200"),
        ];
        await File.WriteAllTextAsync(file, PrometheusConfigWriter.Render(jobs, TimeSpan.FromSeconds(15)));

        await Promtool.AssertConfigAcceptedAsync(file);
    }
}
