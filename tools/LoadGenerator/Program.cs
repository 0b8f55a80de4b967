using MlStack.LoadGenerator.Cli;

// `./mlstack bench <target> [options]` (see --help): load one door of the stack and report latency, errors and cost.
// Ctrl+C stops sending and reports what was measured so far; a second Ctrl+C ends the program at once.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = !stop.IsCancellationRequested;
    stop.Cancel();
};
return await BenchApp.Create().RunAsync(args, stop.Token);
