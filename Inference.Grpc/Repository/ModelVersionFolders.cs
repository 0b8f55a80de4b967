using System.Globalization;

namespace MlStack.Inference.Repository;

/// <summary>
/// The version folders of a model directory: positive numbers that hold a model graph, found by
/// <see cref="ModelFile"/>: the file genai_config.json names (onnxruntime-genai's layout), else model.onnx, else
/// decoder_model_merged.onnx (Optimum's merged decoder).
/// </summary>
public static class ModelVersionFolders
{
    public const string ModelFileName = "model.onnx";

    public const string MergedDecoderFileName = "decoder_model_merged.onnx";

    public static long[] Find(string modelDirectory) =>
        Directory.EnumerateDirectories(modelDirectory)
            .Select(d => (Directory: d, Ok: long.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v), Version: v))
            .Where(v => v.Ok && v.Version > 0 && HasModelFile(v.Directory))
            .Select(v => v.Version)
            .ToArray();

    /// <summary>The graph a version folder is served from; model.onnx's path when none of the candidates exists.</summary>
    public static string ModelFile(string versionDirectory) => ModelFile(versionDirectory, GenaiConfig.Read(versionDirectory));

    /// <summary>The same, for a folder whose genai_config.json (or its absence, null) has been read already.</summary>
    public static string ModelFile(string versionDirectory, GenaiConfig? genai)
    {
        if (genai is not null)
        {
            return Path.Combine(versionDirectory, genai.FileName);
        }
        var model = Path.Combine(versionDirectory, ModelFileName);
        var merged = Path.Combine(versionDirectory, MergedDecoderFileName);
        return !File.Exists(model) && File.Exists(merged) ? merged : model;
    }

    private static bool HasModelFile(string versionDirectory)
    {
        try
        {
            return File.Exists(ModelFile(versionDirectory));
        }
        catch (InvalidDataException)
        {
            return true; // a broken genai_config.json: the load says why
        }
    }
}
