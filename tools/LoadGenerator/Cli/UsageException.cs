namespace MlStack.LoadGenerator.Cli;

/// <summary>Bad arguments or an unusable target: printed as one line, exit code 2 (usage) or 1 (target).</summary>
public sealed class UsageException(string message, int exitCode = ExitCodes.BadArguments) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int TargetUnusable = 1;
    public const int BadArguments = 2;
}
