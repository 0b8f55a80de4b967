using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Grpc.Core;
using MlStack.Inference.Repository;
using MlStack.Inference.V2;

namespace MlStack.Inference.KServe;

/// <summary>
/// Checks a ModelInferRequest against the model and turns it into queued work: every input present once, with
/// the model's datatype, a shape that fits the model's, and exactly as many values (or raw bytes) as the shape
/// needs. Every refusal is INVALID_ARGUMENT naming the tensor and what was expected.
/// </summary>
public static class InferRequestDecoder
{
    public static TensorWork Decode(ModelInferRequest request, ServableModel model, CancellationToken cancellation)
    {
        var useRaw = request.RawInputContents.Count > 0;
        if (useRaw && request.RawInputContents.Count != request.Inputs.Count)
            throw Invalid($"raw_input_contents has {request.RawInputContents.Count} entries but the request has {request.Inputs.Count} inputs; give one per input, in order.");

        var decoded = new InputTensor?[model.Inputs.Length];
        try
        {
            long batch = -1;
            for (var j = 0; j < request.Inputs.Count; j++)
            {
                var input = request.Inputs[j];
                var index = Array.FindIndex(model.Inputs, s => s.Name == input.Name);
                if (index < 0)
                    throw Invalid($"Unexpected input '{input.Name}': model '{model.Name}' expects {Expected(model)}.");
                var spec = model.Inputs[index];
                if (decoded[index] is not null)
                    throw Invalid($"Input '{input.Name}' is given twice.");
                if (input.Datatype != spec.DataType)
                    throw Invalid($"Input '{input.Name}' has datatype '{input.Datatype}', expected {spec.DataType}.");

                var shape = input.Shape.ToArray();
                CheckShape(input.Name, shape, spec, model);
                if (model.Batched)
                {
                    if (batch >= 0 && shape[0] != batch)
                        throw Invalid($"Input '{input.Name}' has batch size {shape[0]} but other inputs have {batch}; all inputs share the batch dimension.");
                    batch = shape[0];
                }

                long count = 1;
                foreach (var d in shape) count = checked(count * d);
                var bytes = count * spec.ElementSize;
                if (bytes > Array.MaxLength)
                    throw Invalid($"Input '{input.Name}' with shape {Format(shape)} needs {bytes} bytes, more than one tensor may hold.");

                var tensor = InputTensor.Rent(shape, (int)bytes);
                decoded[index] = tensor;
                var target = tensor.Buffer.AsSpan(0, tensor.Length);
                if (useRaw)
                {
                    var raw = request.RawInputContents[j];
                    if (raw.Length != bytes)
                        throw Invalid($"Input '{input.Name}' has {raw.Length} bytes in raw_input_contents, expected {bytes} ({count} {spec.DataType} values for shape {Format(shape)}).");
                    raw.Span.CopyTo(target);
                }
                else
                {
                    CopyContents(input, spec, count, target);
                }
            }

            var missing = model.Inputs.Where((_, i) => decoded[i] is null).ToArray();
            if (missing.Length > 0)
                throw Invalid($"Missing input(s) {string.Join(", ", missing.Select(s => $"'{s.Name}' ({s.DataType} {s.ShapeText})"))}.");

            foreach (var output in request.Outputs)
            {
                if (!model.Outputs.Any(o => o.Name == output.Name))
                    throw Invalid($"Unknown output '{output.Name}': model '{model.Name}' has {string.Join(", ", model.Outputs.Select(o => $"'{o.Name}'"))}.");
            }

            var rows = model.Batched ? (int)batch : 1;
            return new TensorWork(decoded!, rows, cancellation);
        }
        catch (Exception error) when (error is OverflowException)
        {
            Return(decoded);
            throw Invalid("An input shape has more elements than can be counted.");
        }
        catch
        {
            Return(decoded);
            throw;
        }
    }

    private static void Return(InputTensor?[] decoded)
    {
        foreach (var tensor in decoded) tensor?.Return();
    }

    private static void CheckShape(string name, long[] shape, TensorSpec spec, ServableModel model)
    {
        if (shape.Length != spec.Shape.Length)
            throw Invalid($"Input '{name}' has shape {Format(shape)} ({shape.Length} dimensions), expected {spec.ShapeText} ({spec.Shape.Length} dimensions).");
        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] <= 0)
                throw Invalid($"Input '{name}' has shape {Format(shape)}: every dimension must be at least 1.");
            if (spec.Shape[d] >= 0 && spec.Shape[d] != shape[d])
                throw Invalid($"Input '{name}' has shape {Format(shape)}, expected {spec.ShapeText} (-1: any size).");
        }
        if (model.Batched && shape[0] > model.Config.MaxBatchSize)
            throw Invalid($"Input '{name}' has batch size {shape[0]}, more than the model's max_batch_size {model.Config.MaxBatchSize}.");
    }

    private static void CopyContents(ModelInferRequest.Types.InferInputTensor input, TensorSpec spec, long count, Span<byte> target)
    {
        var contents = input.Contents;
        if (contents is null)
            throw Invalid($"Input '{input.Name}' has no data: set contents or raw_input_contents.");
        switch (spec.DataType)
        {
            case "FP32":
                CopyTo(input.Name, "fp32_contents", contents.Fp32Contents, count, target);
                break;
            case "FP64":
                CopyTo(input.Name, "fp64_contents", contents.Fp64Contents, count, target);
                break;
            case "INT64":
                CopyTo(input.Name, "int64_contents", contents.Int64Contents, count, target);
                break;
            case "UINT64":
                CopyTo(input.Name, "uint64_contents", contents.Uint64Contents, count, target);
                break;
            case "INT32":
                CopyTo(input.Name, "int_contents", contents.IntContents, count, target);
                break;
            case "UINT32":
                CopyTo(input.Name, "uint_contents", contents.UintContents, count, target);
                break;
            case "INT16":
                Check(input.Name, "int_contents", contents.IntContents.Count, count);
                for (var i = 0; i < count; i++)
                    BinaryPrimitives.WriteInt16LittleEndian(target[(i * 2)..], checked((short)InRange(input.Name, contents.IntContents[i], short.MinValue, short.MaxValue)));
                break;
            case "INT8":
                Check(input.Name, "int_contents", contents.IntContents.Count, count);
                for (var i = 0; i < count; i++) target[i] = unchecked((byte)(sbyte)InRange(input.Name, contents.IntContents[i], sbyte.MinValue, sbyte.MaxValue));
                break;
            case "UINT16":
                Check(input.Name, "uint_contents", contents.UintContents.Count, count);
                for (var i = 0; i < count; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(target[(i * 2)..], (ushort)InRange(input.Name, contents.UintContents[i], 0, ushort.MaxValue));
                break;
            case "UINT8":
                Check(input.Name, "uint_contents", contents.UintContents.Count, count);
                for (var i = 0; i < count; i++) target[i] = (byte)InRange(input.Name, contents.UintContents[i], 0, byte.MaxValue);
                break;
            case "BOOL":
                Check(input.Name, "bool_contents", contents.BoolContents.Count, count);
                for (var i = 0; i < count; i++) target[i] = contents.BoolContents[i] ? (byte)1 : (byte)0;
                break;
            default:
                throw Invalid($"Input '{input.Name}' is {spec.DataType}, which travels only in raw_input_contents.");
        }
    }

    /// <summary>Copies a typed contents field whose element type is the tensor's own, after checking its count.</summary>
    private static void CopyTo<T>(string name, string fieldName, Google.Protobuf.Collections.RepeatedField<T> field, long count, Span<byte> target)
        where T : struct
    {
        Check(name, fieldName, field.Count, count);
        var values = MemoryMarshal.Cast<byte, T>(target);
        for (var i = 0; i < values.Length; i++) values[i] = field[i];
    }

    private static long InRange(string name, long value, long min, long max) =>
        value >= min && value <= max ? value : throw Invalid($"Input '{name}' has value {value}, outside {min}..{max}.");

    private static void Check(string name, string field, int given, long expected)
    {
        if (given != expected)
            throw Invalid($"Input '{name}' has {given} values in {field}, expected {expected} for its shape.");
    }

    private static string Expected(ServableModel model) =>
        string.Join(", ", model.Inputs.Select(s => $"'{s.Name}' ({s.DataType} {s.ShapeText})"));

    private static string Format(long[] shape) => "[" + string.Join(",", shape) + "]";

    public static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
