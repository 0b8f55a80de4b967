using Spectre.Console;
using Spectre.Console.Cli;

namespace MlStack.LoadGenerator.Cli;

/// <summary>The command line: one command, its help, and every failure as one line on standard error with its exit code.</summary>
public static class BenchApp
{
    public static CommandApp Create()
    {
        var app = new CommandApp();
        app.Configure(Configure<BenchCommand>);
        return app;
    }

    /// <summary>Each target is a command of its own, so help lists them; <typeparamref name="TCommand"/> runs any of them.</summary>
    public static void Configure<TCommand>(IConfigurator config)
        where TCommand : class, ICommand<BenchSettings>
    {
        foreach (var (_, name, defaultUrl, description) in TargetKinds.All)
            config.AddCommand<TCommand>(name).WithDescription(Markup.Escape($"{description} (default --url {defaultUrl})"));
        config.SetApplicationName("mlstack bench");
        // An unknown option is a mistake to report, not an argument to pass on.
        config.UseStrictParsing();
        config.CaseSensitivity(CaseSensitivity.None);
        config.AddExample("grpc-generate", "-c", "4", "-d", "30s", "--max-tokens", "64");
        config.AddExample("openai-chat", "--stream", "--rate", "5", "-d", "1m", "--json", "report.json");
        config.AddExample("vectors-query", "--url", "http://localhost:5191", "--api-key", "KEY", "--collection", "docs");
        config.SetExceptionHandler((exception, _) =>
        {
            var (message, code) = exception switch
            {
                UsageException usage => (usage.Message, usage.ExitCode),
                CommandAppException parse => (parse.Message, ExitCodes.BadArguments),
                OperationCanceledException => ("stopped.", ExitCodes.TargetUnusable),
                _ => ($"{exception.GetType().Name}: {exception.Message}", ExitCodes.TargetUnusable),
            };
            WriteError(message);
            return code;
        });
    }

    public static void WriteError(string message) => Console.Error.WriteLine($"mlstack bench: {message.ReplaceLineEndings(" ")}");
}
