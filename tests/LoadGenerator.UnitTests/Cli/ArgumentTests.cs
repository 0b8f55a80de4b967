using MlStack.LoadGenerator.Cli;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Testing;

namespace MlStack.LoadGenerator.UnitTests.Cli;

public sealed class ArgumentTests
{
    /// <summary>The real command line (options, strict parsing, error handler) with a command that only keeps what was parsed.</summary>
    private sealed class ParseOnly : Command<BenchSettings>
    {
        public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellationToken) => 0;
    }

    private static (int ExitCode, string? Target, BenchSettings? Settings) Parse(params string[] args)
    {
        var app = new CommandAppTester();
        app.Configure(BenchApp.Configure<ParseOnly>);
        var result = app.Run(args);
        return (result.ExitCode, result.Context?.Name, result.Settings as BenchSettings);
    }

    private static BenchOptions Options(params string[] args)
    {
        var (exitCode, target, settings) = Parse(args);
        Assert.Equal(0, exitCode);
        return Assert.IsType<BenchSettings>(settings).ToOptions(target!);
    }

    private static string Refused(params string[] args)
    {
        var (exitCode, target, settings) = Parse(args);
        Assert.Equal(0, exitCode);
        var error = Assert.Throws<UsageException>(() => Assert.IsType<BenchSettings>(settings).ToOptions(target!));
        Assert.Equal(ExitCodes.BadArguments, error.ExitCode);
        Assert.DoesNotContain('\n', error.Message);
        return error.Message;
    }

    [Fact]
    public void Defaults_are_a_ten_second_closed_loop_of_four_at_the_targets_development_port()
    {
        var options = Options("grpc-embed");
        Assert.Equal(TargetKind.GrpcEmbed, options.Target);
        Assert.Equal(new Uri("http://localhost:5181"), options.Url);
        Assert.Equal(LoadMode.Closed, options.Mode);
        Assert.Equal(4, options.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Duration);
        Assert.Null(options.Requests);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Warmup);
        Assert.Equal(4, options.Prices.Count);
        Assert.Equal(new Uri("http://localhost:5180"), Options("openai-chat").Url);
        Assert.Equal(new Uri("http://localhost:5191"), Options("vectors-query", "--collection", "docs", "--api-key", "k").Url);
    }

    [Fact]
    public void Every_option_reaches_the_run()
    {
        var options = Options("OpenAI-Chat", "--url", "http://127.0.0.1:9000/v1", "--api-key", "secret", "-m", "tiny-llama", "--text", "Hi",
            "--max-tokens", "64", "--stream", "-r", "12.5", "-c", "50", "-n", "300", "-w", "500ms", "--timeout", "1m",
            "--instance", "n1-standard-4", "--json", "out/report.json", "--no-progress");
        Assert.Equal(TargetKind.OpenAiChat, options.Target);
        Assert.Equal(new Uri("http://127.0.0.1:9000/v1"), options.Url);
        Assert.Equal("secret", options.ApiKey);
        Assert.Equal("tiny-llama", options.Model);
        Assert.Equal("Hi", options.Text);
        Assert.Equal(64, options.MaxTokens);
        Assert.True(options.Stream);
        Assert.Equal(LoadMode.Open, options.Mode);
        Assert.Equal(12.5, options.Rate);
        Assert.Equal(50, options.Concurrency);
        Assert.Equal(300, options.Requests);
        Assert.Null(options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Warmup);
        Assert.Equal(TimeSpan.FromMinutes(1), options.RequestTimeout);
        Assert.Equal("n1-standard-4 + T4", Assert.Single(options.Prices).Name);
        Assert.Equal("out/report.json", options.JsonPath);
        Assert.False(options.Progress);

        var vertex = Options("vertex-embed", "--route", "/v1/endpoints/e:predict", "--batch", "8", "-d", "2m");
        Assert.Equal("/v1/endpoints/e:predict", vertex.VertexRoute);
        Assert.Equal(8, vertex.Batch);
        Assert.Equal(TimeSpan.FromMinutes(2), vertex.Duration);
    }

    [Theory]
    [InlineData("--requests or --duration, not both", "grpc-embed", "-n", "10", "-d", "5s")]
    [InlineData("--requests '0' must be a whole number from 1", "grpc-embed", "-n", "0")]
    [InlineData("--concurrency 'abc' must be a whole number", "grpc-embed", "-c", "abc")]
    [InlineData("--rate '-3' must be a number", "grpc-embed", "--rate", "-3")]
    [InlineData("--duration '0s' is not a time", "grpc-embed", "-d", "0s")]
    [InlineData("--warmup 'soon' is not a time", "grpc-embed", "-w", "soon")]
    [InlineData("--url 'ftp://host' is not an http:// or https:// address", "grpc-embed", "--url", "ftp://host")]
    [InlineData("--duration needs a value", "grpc-embed", "--duration")]
    [InlineData("--json needs a value", "grpc-embed", "--json")]
    [InlineData("--stream applies to openai-chat only", "grpc-generate", "--stream")]
    [InlineData("vectors-query needs --collection", "vectors-query", "--api-key", "k")]
    [InlineData("vectors-query needs --api-key", "vectors-query", "--collection", "docs")]
    [InlineData("grpc-infer needs --model", "grpc-infer")]
    [InlineData("--route 'predict' must start with '/'", "vertex-generate", "--route", "predict")]
    [InlineData("Unknown --instance 'p5.48xlarge'", "grpc-embed", "--instance", "p5.48xlarge")]
    [InlineData("--price-per-hour '-1' must be a number", "grpc-embed", "--price-per-hour", "-1")]
    public void Bad_arguments_are_refused_with_one_line_naming_the_problem(string expected, params string[] args) =>
        Assert.Contains(expected, Refused(args));

    [Fact]
    public void Unknown_options_and_targets_fail_parsing_with_the_usage_exit_code()
    {
        Assert.Equal(ExitCodes.BadArguments, Parse("grpc-embed", "--bogus").ExitCode);
        Assert.Equal(ExitCodes.BadArguments, Parse("nope").ExitCode);
        Assert.Throws<UsageException>(() => new BenchSettings().ToOptions("nope"));
    }

    [Fact]
    public void Prices_are_the_dashboards_table_one_of_its_rows_or_the_users_own()
    {
        var table = MlStack.Dashboard.Services.Cost.InstancePrice.Defaults();
        Assert.Equal(table.Select(p => (p.Name, p.PricePerHour)), BenchSettings.ChoosePrices(null, null).Select(p => (p.Name, p.PricePerHour)));
        Assert.Equal(1.50m, Assert.Single(BenchSettings.ChoosePrices("ml.g5.2xlarge", null)).PricePerHour);
        var own = Assert.Single(BenchSettings.ChoosePrices("ml.g5.2xlarge", 1.21m));
        Assert.Equal(("ml.g5.2xlarge (A10G)", 1.21m), (own.Name, own.PricePerHour));
        Assert.Equal(("custom", 2m), BenchSettings.ChoosePrices(null, 2m).Select(p => (p.Name, p.PricePerHour)).Single());
        Assert.Equal(("my-box", 0.4m), BenchSettings.ChoosePrices("my-box", 0.4m).Select(p => (p.Name, p.PricePerHour)).Single());
    }

    [Theory]
    [InlineData("250ms", 0.25)]
    [InlineData("30s", 30)]
    [InlineData("1.5m", 90)]
    [InlineData("1h", 3600)]
    [InlineData("7", 7)]
    public void Times_take_a_unit_or_seconds(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), BenchSettings.ParseTime("--duration", text, allowZero: false));
}
