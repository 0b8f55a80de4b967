using System.Diagnostics;
using MlStack.Dashboard.Services.Metrics;

namespace MlStack.Dashboard.UnitTests.Metrics;

/// <summary>
/// The prefix-cache panel's PromQL, evaluated by Prometheus' own engine (promtool test rules, from Debian's prometheus)
/// over counters shaped as Inference.Grpc exports them.
/// </summary>
public sealed class PrefixCachePanelTests
{
    [Fact]
    public async Task The_prefix_cache_panel_charts_each_models_token_hit_rate_in_percent()
    {
        var panel = Assert.Single(MetricPanels.All, p => p.Id == "prefix-cache");
        var line = Assert.Single(panel.Lines);
        Assert.Equal("%", panel.Unit);
        // tiny-gpt: 30 of every 100 prompt tokens from the cache; tiny-llama (two versions): 90 of 200 and 10 of 100.
        var test = $"""
            tests:
              - interval: 15s
                input_series:
                  - series: 'mlstack_generation_prefix_cache_hit_tokens_total{'{'}model="tiny-gpt",version="1"{'}'}'
                    values: '0+30x20'
                  - series: 'mlstack_generation_prefix_cache_queried_tokens_total{'{'}model="tiny-gpt",version="1"{'}'}'
                    values: '0+100x20'
                  - series: 'mlstack_generation_prefix_cache_hit_tokens_total{'{'}model="tiny-llama",version="1"{'}'}'
                    values: '0+90x20'
                  - series: 'mlstack_generation_prefix_cache_queried_tokens_total{'{'}model="tiny-llama",version="1"{'}'}'
                    values: '0+200x20'
                  - series: 'mlstack_generation_prefix_cache_hit_tokens_total{'{'}model="tiny-llama",version="2"{'}'}'
                    values: '0+10x20'
                  - series: 'mlstack_generation_prefix_cache_queried_tokens_total{'{'}model="tiny-llama",version="2"{'}'}'
                    values: '0+100x20'
                promql_expr_test:
                  - expr: '{line.Query}'
                    eval_time: 4m
                    exp_samples:
                      - labels: '{'{'}model="tiny-gpt"{'}'}'
                        value: 30
                      - labels: '{'{'}model="tiny-llama"{'}'}'
                        value: 33.333333333333336
            """;
        var folder = Directory.CreateTempSubdirectory("prefix-panel-");
        try
        {
            var file = Path.Combine(folder.FullName, "panel-test.yml");
            await File.WriteAllTextAsync(file, test);
            using var promtool = Process.Start(new ProcessStartInfo("promtool", ["test", "rules", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("promtool did not start (./mlstack setup installs Debian's prometheus, which brings it).");
            var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
            await promtool.WaitForExitAsync();
            Assert.True(promtool.ExitCode == 0, $"promtool test rules failed:\n{output}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
