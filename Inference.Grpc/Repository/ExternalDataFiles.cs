using System.Text;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;

namespace MlStack.Inference.Repository;

/// <summary>
/// The external data files an ONNX graph names (TensorProto.external_data: location, offset, length), checked when
/// ONNX Runtime cannot open the graph, so the load error names the missing or truncated file rather than an
/// initializer. ONNX Runtime itself finds them relative to the graph's folder (never the working directory). The
/// graph is read with a few lines of protobuf wire-format decoding: the onnx package's generated classes are not a
/// NuGet package, and only five fields are needed.
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

    // ModelProto.graph 7; GraphProto.node 1, .initializer 5; NodeProto.attribute 5; AttributeProto.g 6, .graphs 11;
    // TensorProto.external_data 13 (StringStringEntryProto: key 1, value 2).
    private static void ReadModel(ReadOnlySpan<byte> model, Dictionary<string, long> needed)
    {
        foreach (var (field, value) in Fields(model))
        {
            if (field == 7) ReadGraph(value.Span, needed);
        }
    }

    private static void ReadGraph(ReadOnlySpan<byte> graph, Dictionary<string, long> needed)
    {
        foreach (var (field, value) in Fields(graph))
        {
            if (field == 5) ReadTensor(value.Span, needed);
            else if (field == 1)
            {
                foreach (var (nodeField, attribute) in Fields(value.Span))
                {
                    if (nodeField != 5) continue;
                    foreach (var (attributeField, subgraph) in Fields(attribute.Span))
                    {
                        if (attributeField is 6 or 11) ReadGraph(subgraph.Span, needed);
                    }
                }
            }
        }
    }

    private static void ReadTensor(ReadOnlySpan<byte> tensor, Dictionary<string, long> needed)
    {
        string? location = null;
        long offset = 0, length = 0;
        foreach (var (field, entry) in Fields(tensor))
        {
            if (field != 13) continue;
            string? key = null, text = null;
            foreach (var (entryField, bytes) in Fields(entry.Span))
            {
                if (entryField == 1) key = Encoding.UTF8.GetString(bytes.Span);
                else if (entryField == 2) text = Encoding.UTF8.GetString(bytes.Span);
            }
            switch (key)
            {
                case "location": location = text; break;
                case "offset": offset = long.Parse(text ?? "0", System.Globalization.CultureInfo.InvariantCulture); break;
                case "length": length = long.Parse(text ?? "0", System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }
        if (location is not null)
        {
            needed[location] = Math.Max(needed.GetValueOrDefault(location), offset + length);
        }
    }

    /// <summary>The length-delimited fields of a message (varint and fixed fields are skipped).</summary>
    private static List<(int Field, ReadOnlyMemory<byte> Value)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, ReadOnlyMemory<byte>)>();
        var at = 0;
        while (at < message.Length)
        {
            var key = Varint(message, ref at);
            var field = (int)(key >> 3);
            switch (key & 7)
            {
                case 0: Varint(message, ref at); break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    if (length < 0 || at + length > message.Length) throw new InvalidDataException("truncated field");
                    fields.Add((field, message.Slice(at, length).ToArray()));
                    at += length;
                    break;
                default: throw new InvalidDataException("unknown wire type");
            }
        }
        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length) throw new InvalidDataException("truncated varint");
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("bad varint");
    }
}
