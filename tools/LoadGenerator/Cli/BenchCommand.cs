using MlStack.LoadGenerator.Load;
using MlStack.LoadGenerator.Reporting;
using MlStack.LoadGenerator.Targets;
using Spectre.Console;
using Spectre.Console.Cli;

namespace MlStack.LoadGenerator.Cli;

/// <summary>`mlstack bench &lt;target&gt; [options]`, one command per target: runs the load, prints the report, writes it as JSON when asked.</summary>
public sealed class BenchCommand(IAnsiConsole console) : AsyncCommand<BenchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var options = settings.ToOptions(context.Name);
        await using var target = TargetFactory.Create(options);
        var report = await new BenchRun(options, target, console).RunAsync(cancellationToken);
        ReportConsole.Write(console, report);
        if (options.JsonPath is not null) await ReportJson.WriteAsync(report, options.JsonPath, CancellationToken.None);
        if (report.Requests.Ok == 0 && report.Requests.Sent > 0)
        {
            BenchApp.WriteError($"every request failed ({string.Join(", ", report.Requests.Errors.Select(e => $"{e.Key}: {e.Value}"))}).");
            return ExitCodes.TargetUnusable;
        }
        return ExitCodes.Ok;
    }
}
