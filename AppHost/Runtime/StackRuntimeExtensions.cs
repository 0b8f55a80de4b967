namespace MlStack.AppHost.Runtime;

public static class StackRuntimeExtensions
{
    /// <summary>Chooses containers or processes once, for every component of the stack.</summary>
    public static StackRuntime AddStackRuntime(this IDistributedApplicationBuilder builder, Func<bool>? containerEngineAnswers = null)
    {
        ReportCannotStartPlainly();
        var options = StackRuntimeOptions.Bind(builder.Configuration);
        var (kind, reason) = StackRuntimeSelector.Select(
            options.Runtime ?? StackRuntimeSetting.Auto,
            builder.ExecutionContext.IsPublishMode,
            containerEngineAnswers ?? (() => ContainerEngineProbe.Answers()));

        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var stateDirectory = Path.GetFullPath(options.StateDirectory ?? Path.Combine(repositoryRoot, ".mlstack", "state"));
        var toolsDirectory = Path.GetFullPath(options.ToolsDirectory ?? Path.Combine(repositoryRoot, "tools"));

        Console.WriteLine($"MlStack runtime: {kind} ({reason}); state in {stateDirectory}");
        return new StackRuntime(kind, reason, stateDirectory, toolsDirectory);
    }

    /// <summary>
    /// A bad setting or a missing prerequisite thrown while the model is built ends the AppHost with its one-line
    /// message and exit code 1, instead of a stack trace and an abort. (Under Aspire.Hosting.Testing the exception
    /// reaches the test.)
    /// </summary>
    private static void ReportCannotStartPlainly()
    {
        if (Interlocked.Exchange(ref reportingPlainly, 1) == 1)
        {
            return;
        }
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is StackCannotStartException cannotStart)
            {
                Console.Error.WriteLine($"MlStack cannot start: {cannotStart.Message}");
                Environment.Exit(1);
            }
        };
    }

    private static int reportingPlainly;
}
