using MlStack.Inference.Repository;
using System.Buffers;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Tensors;

/// <summary>
/// Runs a batch of ModelInfer requests as one ONNX Runtime run: each input's bytes are laid end to end along the
/// batch dimension in a pooled, pinned buffer that ONNX Runtime reads in place, and each output is cut back into
/// per-request slices along the same dimension.
/// </summary>
public sealed class TensorRunner(InferenceSession session, TensorSpec[] inputs, TensorSpec[] outputs, bool batched)
{
    // Default run options, shared: runs never change them.
    private static readonly RunOptions RunDefaults = new();
    private readonly string[] _inputNames = inputs.Select(i => i.Name).ToArray();
    private readonly string[] _outputNames = outputs.Select(o => o.Name).ToArray();

    /// <summary>Runs the batch and completes each work with its own outputs; returns the rows run.</summary>
    public int Execute(List<TensorWork> batch)
    {
        var rows = 0;
        foreach (var work in batch) rows += work.Rows;

        var values = new OrtValue[inputs.Length];
        var pins = new MemoryHandle[inputs.Length];
        var rented = new byte[]?[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var first = batch[0].Inputs[i];
                byte[] buffer;
                int length;
                if (batch.Count == 1)
                {
                    buffer = first.Buffer;
                    length = first.Length;
                }
                else
                {
                    length = 0;
                    foreach (var work in batch) length += work.Inputs[i].Length;
                    buffer = rented[i] = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
                    var offset = 0;
                    foreach (var work in batch)
                    {
                        var part = work.Inputs[i];
                        part.Buffer.AsSpan(0, part.Length).CopyTo(buffer.AsSpan(offset));
                        offset += part.Length;
                    }
                }

                var shape = (long[])first.Shape.Clone();
                if (batched) shape[0] = rows;
                pins[i] = buffer.AsMemory(0, Math.Max(1, length)).Pin();
                unsafe
                {
                    values[i] = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, inputs[i].ElementType, shape,
                        (nint)pins[i].Pointer, length);
                }
            }

            using var results = session.Run(RunDefaults, _inputNames, values, _outputNames);
            var answers = new OutputTensor[batch.Count][];
            for (var w = 0; w < batch.Count; w++) answers[w] = new OutputTensor[outputs.Length];

            var o = 0;
            foreach (var result in results)
            {
                var shape = result.GetTensorTypeAndShape().Shape;
                ReadOnlySpan<byte> raw = result.GetTensorMutableRawData();
                if (!batched || batch.Count == 1)
                {
                    for (var w = 0; w < batch.Count; w++)
                        answers[w][o] = new OutputTensor(outputs[o].Name, outputs[o].DataType, shape, ByteString.CopyFrom(raw));
                }
                else
                {
                    if (shape.Length == 0 || shape[0] != rows)
                        throw new InvalidOperationException($"Output {outputs[o].Name} has shape [{string.Join(",", shape)}], not {rows} rows.");
                    var rowBytes = raw.Length / rows;
                    var offset = 0;
                    for (var w = 0; w < batch.Count; w++)
                    {
                        var own = (long[])shape.Clone();
                        own[0] = batch[w].Rows;
                        var size = rowBytes * batch[w].Rows;
                        answers[w][o] = new OutputTensor(outputs[o].Name, outputs[o].DataType, own, ByteString.CopyFrom(raw.Slice(offset, size)));
                        offset += size;
                    }
                }
                o++;
            }

            for (var w = 0; w < batch.Count; w++) batch[w].Complete(answers[w]);
            return rows;
        }
        finally
        {
            foreach (var value in values) value?.Dispose();
            foreach (var pin in pins) pin.Dispose();
            foreach (var buffer in rented)
            {
                if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The warm-up belongs to loading, not to any caller's budget.</summary>
    private sealed class NoReservation : IDisposable
    {
        public static readonly NoReservation Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>A run on zeros, with every variable dimension 1, so the first request does not pay for lazy initialisation.</summary>
    public void WarmUp()
    {
        var shapes = inputs.Select(i => i.Shape.Select(d => d < 0 ? 1 : d).ToArray()).ToArray();
        var work = new TensorWork(
            inputs.Select((spec, i) =>
            {
                var count = shapes[i].Aggregate(1L, (a, b) => a * b);
                var tensor = InputTensor.Rent(shapes[i], checked((int)(count * spec.ElementSize)));
                tensor.Buffer.AsSpan(0, tensor.Length).Clear();
                return tensor;
            }).ToArray(),
            rows: 1, reservation: NoReservation.Instance, CancellationToken.None);
        try
        {
            Execute([work]);
        }
        finally
        {
            work.ReturnBuffers();
        }
    }
}
