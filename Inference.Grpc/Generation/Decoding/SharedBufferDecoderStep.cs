using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The step of onnxruntime-genai's layout (<see cref="KvCacheFormat.SharedBuffer"/>): through IOBinding each
/// past_key_values.* buffer is bound as its present.* output too, so GroupQueryAttention writes the new positions in
/// place after each row's length and nothing is allocated or copied per step; only the token inputs go in and the
/// logits come back (bound to CPU memory). The buffers live wherever the cache does (host memory on CPU, the device
/// under CUDA), so the same code serves both providers and is tested on CPU.
/// </summary>
public sealed class SharedBufferDecoderStep : DecoderStep
{
    private readonly OrtIoBinding _binding;

    public SharedBufferDecoderStep(InferenceSession session, DecoderLayout layout, int contextLength, int vocabularySize)
        : base(session, layout, contextLength, vocabularySize)
    {
        if (layout.Format != KvCacheFormat.SharedBuffer)
        {
            throw new ArgumentException("The shared-buffer step runs only graphs whose past and present share one buffer.", nameof(layout));
        }
        _binding = session.CreateIoBinding();
    }

    protected override (OrtValue Logits, OrtValue[] Presents) Execute(List<(string Name, OrtValue Value)> tokenInputs, KvCache past, RunOptions runOptions)
    {
        if (past.Format != KvCacheFormat.SharedBuffer)
        {
            throw new InvalidOperationException("A shared-buffer step was given a concatenated cache.");
        }
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        foreach (var (name, value) in tokenInputs)
        {
            _binding.BindInput(name, value);
        }
        for (var i = 0; i < past.Values.Length; i++)
        {
            _binding.BindInput(Layout.PastNames[i], past.Values[i]);
            _binding.BindOutput(Layout.PresentNames[i], past.Values[i]);
        }
        _binding.BindOutputToDevice(Layout.LogitsName, OrtMemoryInfo.DefaultInstance);
        Session.RunWithBinding(runOptions, _binding);
        // Outputs come back in binding order: present.* (new handles on the past buffers, which ONNX Runtime
        // reference-counts), then the logits. The cache keeps its own handles, so only the logits are kept.
        var outputs = _binding.GetOutputValues();
        for (var i = 0; i < outputs.Count - 1; i++)
        {
            outputs[i].Dispose();
        }
        return (outputs[^1], past.Values);
    }

    public override void Dispose()
    {
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        _binding.Dispose();
        base.Dispose();
    }
}
