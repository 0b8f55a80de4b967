using MlStack.LoadGenerator.Cli;
using MlStack.LoadGenerator.IntegrationTests.Infrastructure;
using MlStack.Testing;

namespace MlStack.LoadGenerator.IntegrationTests.Http;

/// <summary>Mistakes end the program at once with one line on standard error and a non-zero exit code.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("Unknown command 'nope'", "nope")]
    [InlineData("Unknown option 'bogus'", "grpc-embed", "--bogus")]
    [InlineData("--concurrency 'many' must be a whole number", "grpc-embed", "-c", "many")]
    [InlineData("vectors-query needs --collection", "vectors-query", "--api-key", "k")]
    public async Task Bad_arguments_exit_with_2_and_one_line(string expected, params string[] args)
    {
        var run = await BenchTool.RunAsync([.. args.Where(a => a.Length > 0)]);

        Assert.Equal(ExitCodes.BadArguments, run.Process.ExitCode);
        var line = Assert.Single(run.Process.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mlstack bench: ", line);
        Assert.Contains(expected, line);
        Assert.Null(run.Report);
    }

    [Theory]
    [InlineData("grpc-embed")]
    [InlineData("openai-chat")]
    public async Task An_unreachable_target_exits_with_1_and_one_line(string target)
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";

        var run = await BenchTool.RunAsync(target, "--url", url, "-n", "3");

        Assert.Equal(ExitCodes.TargetUnusable, run.Process.ExitCode);
        var line = Assert.Single(run.Process.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"mlstack bench: Cannot reach {target}", line);
        Assert.Contains("refused", line, StringComparison.OrdinalIgnoreCase);
        Assert.Null(run.Report);
    }
}
