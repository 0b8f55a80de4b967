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
    public static string ModelFile(string versionDirectory)
    {
        if (File.Exists(Path.Combine(versionDirectory, GenaiConfig.FileNameInFolder)))
        {
            return Path.Combine(versionDirectory, GenaiConfig.Read(versionDirectory)!.FileName);
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
