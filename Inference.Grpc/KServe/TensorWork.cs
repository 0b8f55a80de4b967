using System.Buffers;
using Google.Protobuf;
using MlStack.Inference.Batching;

namespace MlStack.Inference.KServe;

/// <summary>A validated input tensor: its shape and its little-endian bytes in a pooled buffer.</summary>
public sealed class InputTensor(long[] shape, byte[] buffer, int length)
{
    public long[] Shape { get; } = shape;
    public byte[] Buffer { get; } = buffer;
    public int Length { get; } = length;

    public static InputTensor Rent(long[] shape, int length) => new(shape, ArrayPool<byte>.Shared.Rent(Math.Max(1, length)), length);

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}

public sealed record OutputTensor(string Name, string DataType, long[] Shape, ByteString Data);

/// <summary>One ModelInfer request queued for its model: inputs in the model's input order.</summary>
public sealed class TensorWork(InputTensor[] inputs, int rows, CancellationToken cancellation)
    : BatchWork<OutputTensor[]>(rows, cancellation)
{
    public InputTensor[] Inputs { get; } = inputs;

    /// <summary>Requests merge only when every input has the same shape apart from the batch dimension.</summary>
    public override bool CanJoin(BatchWork<OutputTensor[]> other)
    {
        if (other is not TensorWork peer) return false;
        for (var i = 0; i < Inputs.Length; i++)
        {
            if (!Inputs[i].Shape.AsSpan(1).SequenceEqual(peer.Inputs[i].Shape.AsSpan(1))) return false;
        }
        return true;
    }

    public void ReturnBuffers()
    {
        foreach (var input in Inputs) input.Return();
    }
}
