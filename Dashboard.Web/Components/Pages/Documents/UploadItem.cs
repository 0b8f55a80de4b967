namespace MlStack.Dashboard.Components.Pages.Documents;

/// <summary>One file of an upload as the page shows it: waiting, reading, ingesting with progress, done or failed.</summary>
public sealed class UploadItem(string fileName, long size)
{
    public string FileName { get; } = fileName;

    public long Size { get; } = size;

    public string Stage { get; set; } = "waiting";

    public int ChunksDone { get; set; }

    public int ChunksTotal { get; set; }

    public bool Done { get; set; }

    public string? Error { get; set; }

    public double Percent => Done ? 100 : ChunksTotal == 0 ? 0 : 100.0 * ChunksDone / ChunksTotal;
}
