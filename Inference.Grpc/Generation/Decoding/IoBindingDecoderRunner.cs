using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The GPU path: IOBinding keeps the KV cache where the cache memory is (the CUDA device under the CUDA
/// provider). present.* are bound to device memory that ONNX Runtime allocates, then bound unchanged as the
/// next step's past_key_values.*, so the cache never crosses PCIe; only the token inputs (a few longs) go
/// up and only the logits come back, bound to CPU memory. With CPU memory info the same code runs on CPU,
/// which is how it is tested on machines without a GPU.
/// </summary>
public sealed class IoBindingDecoderRunner : IDecoderRunner
{
    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly OrtMemoryInfo _cacheMemory;
    private readonly DecoderInputs _inputs;
    private readonly RunOptions _runOptions;
    private readonly OrtIoBinding _binding;
    private readonly float[] _logits;
    private OrtValue[] _past;

    public IoBindingDecoderRunner(InferenceSession session, DecoderLayout layout, OrtMemoryInfo cacheMemory,
        int contextLength, int vocabularySize, RunOptions runOptions)
    {
        _session = session;
        _layout = layout;
        _cacheMemory = cacheMemory;
        _runOptions = runOptions;
        _inputs = new DecoderInputs(contextLength);
        _logits = new float[vocabularySize];
        _binding = session.CreateIoBinding();
        // The first step's empty cache is a CPU tensor with no elements: nothing to copy to the device.
        _past = [.. layout.PastNames.Select(_ => layout.CreateEmptyCache())];
    }

    public int PastLength { get; private set; }

    public ReadOnlySpan<float> Forward(ReadOnlySpan<long> tokens)
    {
        var tokenInputs = _inputs.Create(_layout, tokens, PastLength);
        try
        {
            _binding.ClearBoundInputs();
            _binding.ClearBoundOutputs();
            foreach (var (name, value) in tokenInputs)
            {
                _binding.BindInput(name, value);
            }
            for (var i = 0; i < _past.Length; i++)
            {
                _binding.BindInput(_layout.PastNames[i], _past[i]);
            }
            _binding.BindOutputToDevice("logits", OrtMemoryInfo.DefaultInstance);
            foreach (var present in _layout.PresentNames)
            {
                _binding.BindOutputToDevice(present, _cacheMemory);
            }
            _session.RunWithBinding(_runOptions, _binding);
        }
        finally
        {
            foreach (var (_, value) in tokenInputs)
            {
                value.Dispose();
            }
        }

        // Outputs come back in binding order: logits, then present.*. The presents are kept, not disposed.
        var outputs = _binding.GetOutputValues();
        LogitsReader.CopyLastRow(outputs[0], _logits);
        outputs[0].Dispose();
        foreach (var old in _past)
        {
            old.Dispose();
        }
        _past = [.. outputs.Skip(1)];
        PastLength += tokens.Length;
        return _logits;
    }

    public void Dispose()
    {
        _binding.ClearBoundInputs();
        _binding.ClearBoundOutputs();
        foreach (var value in _past)
        {
            value.Dispose();
        }
        _past = [];
        _binding.Dispose();
    }
}
