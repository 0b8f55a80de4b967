using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using Onnx;

namespace MlStack.Inference.Repository;

/// <summary>
/// The external data files an ONNX graph names (TensorProto.external_data: location, offset, length), checked when
/// ONNX Runtime cannot open the graph, so the load error names the missing or truncated file rather than an
/// initializer. ONNX Runtime itself finds them relative to the graph's folder (never the working directory). The
/// graph is read with OnnxSharp's ONNX protobuf classes.
/// </summary>
public static class ExternalDataFiles
{
    /// <summary>Graphs larger than this hold their weights inline: external data is not what failed.</summary>
    private const long MaxGraphBytes = 256L << 20;

    /// <summary>Opens the session; a failure caused by external data is an InvalidDataException naming the file.</summary>
    public static OrtSessionHandle Open(OrtSessionFactory sessions, string modelPath) => Open(() => sessions.Create(modelPath), modelPath);

    /// <summary>Opens a session with <paramref name="create"/> over the graph read from <paramref name="modelPath"/> (rewritten or not).</summary>
    public static OrtSessionHandle Open(Func<OrtSessionHandle> create, string modelPath)
    {
        try
        {
            return create();
        }
        catch (OnnxRuntimeException error)
        {
            if (Problem(modelPath) is { } problem)
            {
                throw new InvalidDataException(problem, error);
            }
            throw;
        }
    }

    /// <summary>What is wrong with the graph's external data (a file missing, or shorter than its tensors need), or null.</summary>
    public static string? Problem(string modelPath)
    {
        var info = new FileInfo(modelPath);
        if (!info.Exists || info.Length > MaxGraphBytes)
        {
            return null;
        }
        var needed = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            ReadModel(File.ReadAllBytes(modelPath), needed);
        }
        catch (InvalidDataException)
        {
            return null; // not a readable graph: ONNX Runtime's own error says so
        }
        var folder = info.DirectoryName!;
        foreach (var (location, end) in needed.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            var file = new FileInfo(Path.Combine(folder, location));
            if (!file.Exists)
            {
                return $"{info.Name} keeps its weights in the external data file '{location}', which is missing beside it.";
            }
            if (file.Length < end)
            {
                return $"The external data file '{location}' of {info.Name} is truncated: {file.Length:N0} bytes, its tensors need {end:N0}.";
            }
        }
        return null;
    }

    private static void ReadModel(byte[] model, Dictionary<string, long> needed)
    {
        ModelProto proto;
        try
        {
            proto = ModelProto.Parser.ParseFrom(model);
        }
        catch (InvalidProtocolBufferException error)
        {
            throw new InvalidDataException(error.Message, error);
        }
        ReadGraph(proto.Graph, needed);
    }

    private static void ReadGraph(GraphProto? graph, Dictionary<string, long> needed)
    {
        if (graph is null)
        {
            return;
        }
        foreach (var tensor in graph.Initializer)
        {
            ReadTensor(tensor, needed);
        }
        // Subgraphs (If, Loop, Scan) may name external data too: a merged decoder's branches read the outer weights,
        // but nothing stops a branch from holding its own.
        foreach (var attribute in graph.Node.SelectMany(n => n.Attribute))
        {
            ReadGraph(attribute.G, needed);
            foreach (var subgraph in attribute.Graphs)
            {
                ReadGraph(subgraph, needed);
            }
        }
    }

    private static void ReadTensor(TensorProto tensor, Dictionary<string, long> needed)
    {
        var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (!entries.TryGetValue("location", out var location))
        {
            return;
        }
        long Number(string key) => entries.TryGetValue(key, out var text) ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        needed[location] = Math.Max(needed.GetValueOrDefault(location), Number("offset") + Number("length"));
    }
}
