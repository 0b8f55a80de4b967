using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The GPU path: IOBinding keeps the KV cache where the cache memory is (the CUDA device under the CUDA provider).
/// present.* are bound to device memory that ONNX Runtime allocates, then bound unchanged as the next step's
/// past_key_values.*, so the cache never crosses PCIe; only the token inputs (a few longs per row) go up and only
/// the logits come back, bound to CPU memory. The batched decode step of every running sequence runs this way on
/// CUDA. With CPU memory info the same code runs on CPU, which is how it is tested on machines without a GPU.
/// </summary>
public sealed class IoBindingDecoderStep : DecoderStep
{
    private readonly OrtMemoryInfo _cacheMemory;
    private readonly OrtIoBinding _binding;

    public IoBindingDecoderStep(InferenceSession session, DecoderLayout layout, OrtMemoryInfo cacheMemory, int contextLength, int vocabularySize)
        : base(session, layout, contextLength, vocabularySize)
    {
        _cacheMemory = cacheMemory;
        _binding = session.CreateIoBinding();
    }

    protected override (OrtValue Logits, OrtValue[] Presents) Execute(List<(string Name, OrtValue Value)> tokenInputs, KvCache past, RunOptions runOptions)
    {
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        foreach (var (name, value) in tokenInputs)
        {
            _binding.BindInput(name, value);
        }
        for (var i = 0; i < past.Values.Length; i++)
        {
            _binding.BindInput(Layout.PastNames[i], past.Values[i]);
        }
        _binding.BindOutputToDevice(Layout.LogitsName, OrtMemoryInfo.DefaultInstance);
        foreach (var present in Layout.PresentNames)
        {
            _binding.BindOutputToDevice(present, _cacheMemory);
        }
        Session.RunWithBinding(runOptions, _binding);
        // Outputs come back in binding order: logits, then present.*.
        var outputs = _binding.GetOutputValues();
        return (outputs[0], [.. outputs.Skip(1)]);
    }

    public override void Dispose()
    {
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        _binding.Dispose();
        base.Dispose();
    }
}
