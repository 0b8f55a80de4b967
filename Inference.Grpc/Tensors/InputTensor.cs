using System.Buffers;

namespace MlStack.Inference.Tensors;

/// <summary>A validated input tensor: its shape and its little-endian bytes in a pooled buffer.</summary>
public sealed class InputTensor(long[] shape, byte[] buffer, int length)
{
    public long[] Shape { get; } = shape;
    public byte[] Buffer { get; } = buffer;
    public int Length { get; } = length;

    public static InputTensor Rent(long[] shape, int length) => new(shape, ArrayPool<byte>.Shared.Rent(Math.Max(1, length)), length);

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
