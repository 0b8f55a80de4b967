using MlStack.Inference.Batching;

namespace MlStack.Inference.Tensors;

/// <summary>One ModelInfer request queued for its model: inputs in the model's input order, and their reserved bytes.</summary>
public sealed class TensorWork(InputTensor[] inputs, int rows, IDisposable reservation, CancellationToken cancellation)
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
        reservation.Dispose();
    }
}
