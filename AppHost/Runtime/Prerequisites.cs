namespace MlStack.AppHost.Runtime;

/// <summary>Checks, before anything starts, that the programs the processes runtime needs are installed.</summary>
public static class Prerequisites
{
    public const string InstallHint = "Run ./mlstack setup (or ./mlstack run, which sets up first).";

    public static string RequireOnPath(string program, string whatToInstall)
    {
        var found = FindOnPath(program);
        return found ?? throw new PrerequisiteMissingException(
            $"'{program}' was not found on PATH. Install {whatToInstall}. {InstallHint}");
    }

    public static string RequireFile(string path, string whatToInstall)
    {
        return File.Exists(path) ? path : throw new PrerequisiteMissingException(
            $"'{path}' does not exist. Install {whatToInstall}. {InstallHint}");
    }

    public static string? FindOnPath(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
    }
}
