using System.Globalization;
using System.Text;
using MlStack.VectorStore.Documents;

namespace MlStack.VectorStore.Extraction;

/// <summary>
/// The extraction worker: this same program started with <see cref="Command"/> reads one PDF from stdin and writes its
/// text to stdout. It runs in a process of its own because no in-process guard can be trusted with a hostile file:
/// .NET cannot catch a stack overflow, and a memory blow-up would take the whole proxy with it. Exit 0: the text
/// follows; exit <see cref="Refused"/>: stderr's first line says why the file was refused; anything else: it crashed.
/// </summary>
public static class PdfWorker
{
    public const string Command = "--mlstack-extract-pdf";
    public const int Refused = 2;

    // Room for PdfPig's stack-depth guard to act long before the stack ends.
    private const int StackBytes = 64 * 1024 * 1024;

    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == Command;

    public static string[] Arguments(PdfLimits limits) =>
    [
        Command,
        limits.MaxPages.ToString(CultureInfo.InvariantCulture),
        limits.MaxDecompressedBytes.ToString(CultureInfo.InvariantCulture),
        limits.MaxNesting.ToString(CultureInfo.InvariantCulture),
        limits.MaxTextChars.ToString(CultureInfo.InvariantCulture),
    ];

    public static int Run(string[] args)
    {
        var limits = new PdfLimits(
            int.Parse(args[1], CultureInfo.InvariantCulture), long.Parse(args[2], CultureInfo.InvariantCulture),
            int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
        using var input = new MemoryStream();
        Console.OpenStandardInput().CopyTo(input);

        string? text = null;
        Exception? error = null;
        var reader = new Thread(() =>
        {
            try
            {
                text = PdfTextReader.Read(input.ToArray(), limits);
            }
            catch (Exception ex) when (ex is PdfLimitException or InvalidDataException)
            {
                error = ex;
            }
        }, StackBytes);
        reader.Start();
        reader.Join();

        if (error is not null)
        {
            Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine(error.InnerException?.ToString());
            return Refused;
        }
        using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
        output.Write(text);
        return 0;
    }
}
