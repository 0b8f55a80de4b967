using Microsoft.Extensions.Options;

namespace MlStack.Dashboard.Services.AppData;

/// <summary>The resolved data folder, created on first use; files in it are written whole (temporary file, then rename).</summary>
public sealed class AppDataFolder(IOptions<AppDataOptions> options, IHostEnvironment environment)
{
    public string Path { get; } = options.Value.ResolvePath(environment.ContentRootPath);

    public string File(string name)
    {
        Directory.CreateDirectory(Path);
        return System.IO.Path.Combine(Path, name);
    }

    /// <summary>Replaces a file in one step, so a crash mid-write leaves the previous version, never half a file.</summary>
    public async Task WriteAllTextAtomicallyAsync(string name, string contents, CancellationToken cancellationToken)
    {
        var target = File(name);
        var temporary = target + ".tmp";
        await System.IO.File.WriteAllTextAsync(temporary, contents, cancellationToken);
        System.IO.File.Move(temporary, target, overwrite: true);
    }
}
