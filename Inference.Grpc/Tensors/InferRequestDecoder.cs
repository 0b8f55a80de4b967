using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MlStack.Inference.Repository;
using MlStack.Inference.V2;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Tensors;

/// <summary>
/// Checks a ModelInferRequest against the model and turns it into queued work: every input present once, with
/// the model's datatype, a shape that fits the model's, and exactly as many values (or raw bytes) as the shape
/// needs. Every refusal is INVALID_ARGUMENT naming the tensor and what was expected.
/// </summary>
public static class InferRequestDecoder
{
    public static TensorWork Decode(ModelInferRequest request, ServableModel model, RequestMemoryBudget budget, CancellationToken cancellation)
    {
        var useRaw = request.RawInputContents.Count > 0;
        if (useRaw && request.RawInputContents.Count != request.Inputs.Count)
            throw Invalid($"raw_input_contents has {request.RawInputContents.Count} entries but the request has {request.Inputs.Count} inputs; give one per input, in order.");

        // First every declaration is checked against the model's limits and against the data actually sent; only
        // then is memory reserved and rented, so a request that declares more than it sends costs nothing.
        var planned = new (int Request, long[] Shape, int Bytes)?[model.Inputs.Length];
        long batch = -1, total = 0;
        try
        {
            for (var j = 0; j < request.Inputs.Count; j++)
            {
                var input = request.Inputs[j];
                var index = Array.FindIndex(model.Inputs, s => s.Name == input.Name);
                if (index < 0)
                    throw Invalid($"Unexpected input '{ServingErrors.Shorten(input.Name)}': model '{model.Name}' expects {Expected(model)}.");
                var spec = model.Inputs[index];
                if (planned[index] is not null)
                    throw Invalid($"Input '{input.Name}' is given twice.");
                if (input.Datatype != spec.DataType)
                    throw Invalid($"Input '{input.Name}' has datatype '{ServingErrors.Shorten(input.Datatype)}', expected {spec.DataType}.");

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
                var bytes = checked(count * spec.ElementSize);
                if (bytes > Array.MaxLength)
                    throw Invalid($"Input '{input.Name}' with shape {Format(shape)} needs {bytes} bytes, more than one tensor may hold.");
                if (useRaw)
                {
                    var raw = request.RawInputContents[j];
                    if (raw.Length != bytes)
                        throw Invalid($"Input '{input.Name}' has {raw.Length} bytes in raw_input_contents, expected {bytes} ({count} {spec.DataType} values for shape {Format(shape)}).");
                }
                else
                {
                    var (field, given) = SentValues(input, spec);
                    if (given != count)
                        throw Invalid($"Input '{input.Name}' has {given} values in {field}, expected {count} for its shape.");
                }
                planned[index] = (j, shape, (int)bytes);
                total += bytes;
            }
        }
        catch (OverflowException)
        {
            throw Invalid("An input shape has more elements than can be counted.");
        }

        var missing = model.Inputs.Where((_, i) => planned[i] is null).ToArray();
        if (missing.Length > 0)
            throw Invalid($"Missing input(s) {string.Join(", ", missing.Select(s => $"'{s.Name}' ({s.DataType} {s.ShapeText})"))}.");
        foreach (var output in request.Outputs)
        {
            if (!model.Outputs.Any(o => o.Name == output.Name))
                throw Invalid($"Unknown output '{ServingErrors.Shorten(output.Name)}': model '{model.Name}' has {string.Join(", ", model.Outputs.Select(o => $"'{o.Name}'"))}.");
        }

        var lease = budget.Reserve(total);
        var decoded = new InputTensor?[model.Inputs.Length];
        try
        {
            for (var i = 0; i < decoded.Length; i++)
            {
                var (j, shape, bytes) = planned[i]!.Value;
                var tensor = InputTensor.Rent(shape, bytes);
                decoded[i] = tensor;
                var target = tensor.Buffer.AsSpan(0, tensor.Length);
                if (useRaw) request.RawInputContents[j].Span.CopyTo(target);
                else CopyContents(request.Inputs[j], model.Inputs[i], target);
            }
            var rows = model.Batched ? (int)batch : 1;
            return new TensorWork(decoded!, rows, lease, cancellation);
        }
        catch
        {
            foreach (var tensor in decoded) tensor?.Return();
            lease.Dispose();
            throw;
        }
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
        var limit = model.Config.VariableDimensionLimit;
        for (var d = model.Batched ? 1 : 0; d < shape.Length; d++)
        {
            if (spec.Shape[d] < 0 && shape[d] > limit)
                throw Invalid($"Input '{name}' has shape {Format(shape)}: dimension {d} may be at most {limit} for model '{model.Name}' (max_dimension_size).");
        }
    }

    /// <summary>The typed contents field a datatype travels in, and how many values the request put there.</summary>
    private static (string Field, int Count) SentValues(ModelInferRequest.Types.InferInputTensor input, TensorSpec spec)
    {
        var contents = input.Contents
            ?? throw Invalid($"Input '{input.Name}' has no data: set contents or raw_input_contents.");
        return spec.DataType switch
        {
            "FP32" => ("fp32_contents", contents.Fp32Contents.Count),
            "FP64" => ("fp64_contents", contents.Fp64Contents.Count),
            "INT64" => ("int64_contents", contents.Int64Contents.Count),
            "UINT64" => ("uint64_contents", contents.Uint64Contents.Count),
            "INT32" or "INT16" or "INT8" => ("int_contents", contents.IntContents.Count),
            "UINT32" or "UINT16" or "UINT8" => ("uint_contents", contents.UintContents.Count),
            "BOOL" => ("bool_contents", contents.BoolContents.Count),
            _ => throw Invalid($"Input '{input.Name}' is {spec.DataType}, which travels only in raw_input_contents."),
        };
    }

    /// <summary>Copies typed contents whose count <see cref="SentValues"/> has already checked.</summary>
    private static void CopyContents(ModelInferRequest.Types.InferInputTensor input, TensorSpec spec, Span<byte> target)
    {
        var contents = input.Contents;
        switch (spec.DataType)
        {
            case "FP32":
                CopyTo(contents.Fp32Contents, target);
                break;
            case "FP64":
                CopyTo(contents.Fp64Contents, target);
                break;
            case "INT64":
                CopyTo(contents.Int64Contents, target);
                break;
            case "UINT64":
                CopyTo(contents.Uint64Contents, target);
                break;
            case "INT32":
                CopyTo(contents.IntContents, target);
                break;
            case "UINT32":
                CopyTo(contents.UintContents, target);
                break;
            case "INT16":
                for (var i = 0; i < contents.IntContents.Count; i++)
                    BinaryPrimitives.WriteInt16LittleEndian(target[(i * 2)..], (short)InRange(input.Name, contents.IntContents[i], short.MinValue, short.MaxValue));
                break;
            case "INT8":
                for (var i = 0; i < contents.IntContents.Count; i++) target[i] = unchecked((byte)(sbyte)InRange(input.Name, contents.IntContents[i], sbyte.MinValue, sbyte.MaxValue));
                break;
            case "UINT16":
                for (var i = 0; i < contents.UintContents.Count; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(target[(i * 2)..], (ushort)InRange(input.Name, contents.UintContents[i], 0, ushort.MaxValue));
                break;
            case "UINT8":
                for (var i = 0; i < contents.UintContents.Count; i++) target[i] = (byte)InRange(input.Name, contents.UintContents[i], 0, byte.MaxValue);
                break;
            case "BOOL":
                for (var i = 0; i < contents.BoolContents.Count; i++) target[i] = contents.BoolContents[i] ? (byte)1 : (byte)0;
                break;
        }
    }

    /// <summary>Copies a typed contents field whose element type is the tensor's own.</summary>
    private static void CopyTo<T>(Google.Protobuf.Collections.RepeatedField<T> field, Span<byte> target)
        where T : struct
    {
        var values = MemoryMarshal.Cast<byte, T>(target);
        for (var i = 0; i < values.Length; i++) values[i] = field[i];
    }

    private static long InRange(string name, long value, long min, long max) =>
        value >= min && value <= max ? value : throw Invalid($"Input '{name}' has value {value}, outside {min}..{max}.");

    private static string Expected(ServableModel model) =>
        string.Join(", ", model.Inputs.Select(s => $"'{s.Name}' ({s.DataType} {s.ShapeText})"));

    private static string Format(long[] shape) =>
        shape.Length <= 16 ? "[" + string.Join(",", shape) + "]" : "[" + string.Join(",", shape.Take(16)) + ",...] (" + shape.Length + " dimensions)";

    public static InferenceException Invalid(string message) => InferenceException.Invalid(message);
}
