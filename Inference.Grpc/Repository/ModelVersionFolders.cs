using System.Globalization;

namespace MlStack.Inference.Repository;

/// <summary>The version folders of a model directory: positive numbers that hold a model.onnx.</summary>
public static class ModelVersionFolders
{
    public const string ModelFileName = "model.onnx";

    public static long[] Find(string modelDirectory) =>
        Directory.EnumerateDirectories(modelDirectory)
            .Select(d => (Directory: d, Ok: long.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v), Version: v))
            .Where(v => v.Ok && v.Version > 0 && File.Exists(Path.Combine(v.Directory, ModelFileName)))
            .Select(v => v.Version)
            .ToArray();
}
