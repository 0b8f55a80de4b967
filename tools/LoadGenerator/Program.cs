using MlStack.LoadGenerator.Cli;

// `./mlstack bench <target> [options]` (see --help): load one door of the stack and report latency, errors and cost.
return await BenchApp.Create().RunAsync(args);
