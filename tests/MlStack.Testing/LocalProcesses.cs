namespace MlStack.Testing;

/// <summary>Finds local processes by their command line, as /proc shows it (Linux only, like the processes runtime).</summary>
public static class LocalProcesses
{
    public static IReadOnlyList<(int Pid, string CommandLine)> Mentioning(string text)
    {
        var found = new List<(int, string)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ').Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue; // The process ended while we looked.
            }
            if (commandLine.Contains(text, StringComparison.Ordinal))
            {
                found.Add((pid, commandLine));
            }
        }
        return found;
    }

    public static bool IsRunning(int pid)
    {
        // A zombie has ended; only its exit status is left for the parent to collect.
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Polls until nothing mentions the text any more, or the time is up; returns what is left.</summary>
    public static async Task<IReadOnlyList<(int Pid, string CommandLine)>> WaitUntilNoneMentionAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = Mentioning(text).Where(p => IsRunning(p.Pid)).ToList();
            if (left.Count == 0 || DateTime.UtcNow > deadline)
            {
                return left;
            }
            await Task.Delay(250);
        }
    }
}
