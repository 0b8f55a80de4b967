using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using MlStack.Inference.HttpDoors;
using MlStack.Inference.V2;

namespace MlStack.Inference.HttpDoors.SageMaker;

/// <summary>
/// The Open Inference Protocol's JSON form (KServe v2 REST: inputs with name, shape, datatype and data, nested or
/// flat, row-major) to and from the gRPC messages, so a JSON request runs through the same ModelInfer path as a gRPC
/// one. FP16 and BF16 have no JSON form here: send them over gRPC as raw bytes.
/// </summary>
public static class OpenInferenceJson
{
    /// <summary>True when the body has the protocol's shape: "inputs" is an array of objects.</summary>
    public static bool Matches(JsonElement body) =>
        body.Get("inputs") is { ValueKind: JsonValueKind.Array } inputs && inputs.GetArrayLength() > 0
        && inputs.EnumerateArray().All(i => i.ValueKind == JsonValueKind.Object);

    /// <summary>The texts of a request whose inputs are all BYTES (for text models); null when any is not.</summary>
    public static IReadOnlyList<string>? Texts(JsonElement body)
    {
        var inputs = body.GetProperty("inputs").EnumerateArray().ToList();
        if (!inputs.All(i => i.String("datatype") == "BYTES"))
        {
            return null;
        }
        return [.. inputs.SelectMany(i => Flatten(i.Get("data") ?? throw HttpDoorException.BadRequest($"Input '{i.String("name")}' has no data.", "data")))
            .Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw JsonFields.WrongType("data", "strings for a BYTES input"))];
    }

    public static ModelInferRequest ToRequest(JsonElement body, ModelReference model)
    {
        var request = new ModelInferRequest { ModelName = model.Name, ModelVersion = model.Version ?? "", Id = body.String("id") ?? "" };
        foreach (var input in body.GetProperty("inputs").EnumerateArray())
        {
            var name = input.String("name") ?? throw HttpDoorException.BadRequest("Every input needs a 'name'.", "inputs");
            var datatype = input.String("datatype") ?? throw HttpDoorException.BadRequest($"Input '{name}' needs a 'datatype'.", "inputs");
            if (input.Get("shape") is not { ValueKind: JsonValueKind.Array } shape)
            {
                throw HttpDoorException.BadRequest($"Input '{name}' needs a 'shape' (an array of integers).", "inputs");
            }
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype, Contents = new InferTensorContents() };
            foreach (var dimension in shape.EnumerateArray())
            {
                tensor.Shape.Add(dimension.TryGetInt64(out var d) ? d : throw JsonFields.WrongType("shape", "an array of integers"));
            }
            var data = Flatten(input.Get("data") ?? throw HttpDoorException.BadRequest($"Input '{name}' has no data.", "inputs"));
            Fill(tensor, data);
            request.Inputs.Add(tensor);
        }
        if (body.Get("outputs") is { ValueKind: JsonValueKind.Array } outputs)
        {
            foreach (var output in outputs.EnumerateArray())
            {
                request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output.String("name") ?? "" });
            }
        }
        return request;
    }

    private static void Fill(ModelInferRequest.Types.InferInputTensor tensor, IEnumerable<JsonElement> data)
    {
        var contents = tensor.Contents;
        var name = tensor.Name;
        try
        {
            switch (tensor.Datatype)
            {
                case "FP32": contents.Fp32Contents.AddRange(data.Select(v => v.GetSingle())); break;
                case "FP64": contents.Fp64Contents.AddRange(data.Select(v => v.GetDouble())); break;
                case "INT64": contents.Int64Contents.AddRange(data.Select(v => v.GetInt64())); break;
                case "UINT64": contents.Uint64Contents.AddRange(data.Select(v => v.GetUInt64())); break;
                case "INT32" or "INT16" or "INT8": contents.IntContents.AddRange(data.Select(v => v.GetInt32())); break;
                case "UINT32" or "UINT16" or "UINT8": contents.UintContents.AddRange(data.Select(v => v.GetUInt32())); break;
                case "BOOL": contents.BoolContents.AddRange(data.Select(v => v.GetBoolean())); break;
                case "BYTES": contents.BytesContents.AddRange(data.Select(v => ByteString.CopyFromUtf8(v.GetString()!))); break;
                default:
                    throw HttpDoorException.BadRequest($"Input '{name}' has datatype '{tensor.Datatype}', which has no JSON form here; send it over gRPC as raw bytes.", "inputs");
            }
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException)
        {
            throw HttpDoorException.BadRequest($"Input '{name}' has a value that is not a {tensor.Datatype}: {error.Message}", "inputs");
        }
    }

    /// <summary>Nested arrays in row-major order, as the protocol allows; a scalar is one value.</summary>
    private static IEnumerable<JsonElement> Flatten(JsonElement data) => data.ValueKind == JsonValueKind.Array
        ? data.EnumerateArray().SelectMany(Flatten)
        : [data];

    public static void WriteResponse(IBufferWriter<byte> output, ModelInferResponse response)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteString("model_name", response.ModelName);
        json.WriteString("model_version", response.ModelVersion);
        if (response.Id.Length > 0) json.WriteString("id", response.Id);
        json.WriteStartArray("outputs");
        for (var i = 0; i < response.Outputs.Count; i++)
        {
            var tensor = response.Outputs[i];
            WriteTensor(json, tensor.Name, tensor.Datatype, tensor.Shape, w => WriteRaw(w, tensor.Datatype, response.RawOutputContents[i].Span));
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteTensor(Utf8JsonWriter json, string name, string datatype, IEnumerable<long> shape, Action<Utf8JsonWriter> writeData)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("datatype", datatype);
        json.WriteStartArray("shape");
        foreach (var d in shape) json.WriteNumberValue(d);
        json.WriteEndArray();
        json.WriteStartArray("data");
        writeData(json);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Little-endian raw output (as ModelInfer answers) to flat JSON values.</summary>
    private static void WriteRaw(Utf8JsonWriter json, string datatype, ReadOnlySpan<byte> raw)
    {
        switch (datatype)
        {
            case "FP32": for (var i = 0; i + 4 <= raw.Length; i += 4) json.WriteNumberValue(BinaryPrimitives.ReadSingleLittleEndian(raw[i..])); break;
            case "FP64": for (var i = 0; i + 8 <= raw.Length; i += 8) json.WriteNumberValue(BinaryPrimitives.ReadDoubleLittleEndian(raw[i..])); break;
            case "FP16": for (var i = 0; i + 2 <= raw.Length; i += 2) json.WriteNumberValue((float)BinaryPrimitives.ReadHalfLittleEndian(raw[i..])); break;
            case "INT64": for (var i = 0; i + 8 <= raw.Length; i += 8) json.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(raw[i..])); break;
            case "UINT64": for (var i = 0; i + 8 <= raw.Length; i += 8) json.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(raw[i..])); break;
            case "INT32": for (var i = 0; i + 4 <= raw.Length; i += 4) json.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(raw[i..])); break;
            case "UINT32": for (var i = 0; i + 4 <= raw.Length; i += 4) json.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(raw[i..])); break;
            case "INT16": for (var i = 0; i + 2 <= raw.Length; i += 2) json.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(raw[i..])); break;
            case "UINT16": for (var i = 0; i + 2 <= raw.Length; i += 2) json.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(raw[i..])); break;
            case "INT8": foreach (var b in raw) json.WriteNumberValue((sbyte)b); break;
            case "UINT8": foreach (var b in raw) json.WriteNumberValue(b); break;
            case "BOOL": foreach (var b in raw) json.WriteBooleanValue(b != 0); break;
            default: throw new HttpDoorException(StatusCodes.Status406NotAcceptable, $"Output datatype '{datatype}' has no JSON form here; use gRPC.");
        }
    }
}
