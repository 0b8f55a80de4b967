using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// One decoder step on ONNX Runtime for a batch: the new tokens of every row after the rows' KV cache, one run. The
/// prompt is such a step (one row, many tokens, in chunks), decoding is one token for each running sequence. How the
/// cache travels between runs is the subclass's: <see cref="OrtValueDecoderStep"/> (CPU) or
/// <see cref="IoBindingDecoderStep"/> (kept on the GPU under CUDA), or <see cref="SharedBufferDecoderStep"/> (one
/// buffer bound as past and present, written in place: onnxruntime-genai's layout, on CPU and CUDA alike). Not
/// thread-safe: one step object per batch.
/// </summary>
public abstract class DecoderStep : IDisposable
{
    private readonly DecoderInputs _inputs;
    private float[] _logits = [];

    protected DecoderStep(InferenceSession session, DecoderLayout layout, int contextLength, int vocabularySize)
    {
        Session = session;
        Layout = layout;
        VocabularySize = vocabularySize;
        _inputs = new DecoderInputs(contextLength);
    }

    protected InferenceSession Session { get; }

    public DecoderLayout Layout { get; }

    public int VocabularySize { get; }

    /// <summary>
    /// Runs <paramref name="width"/> new tokens per row (<paramref name="tokens"/> row-major) after <paramref name="past"/>.
    /// On success returns the cache extended by them (<paramref name="past"/> is disposed) and leaves each row's logits
    /// for its last new token in <see cref="Logits"/>; on failure <paramref name="past"/> is left as it was.
    /// </summary>
    public KvCache Run(KvCache past, ReadOnlySpan<long> tokens, int width, RunOptions runOptions)
    {
        var tokenInputs = _inputs.Create(Layout, past, tokens, width);
        OrtValue logits;
        OrtValue[] presents;
        try
        {
            (logits, presents) = Execute(tokenInputs, past, runOptions);
        }
        finally
        {
            foreach (var (_, value) in tokenInputs)
            {
                value.Dispose();
            }
        }
        using (logits)
        {
            if (_logits.Length < past.Rows * VocabularySize)
            {
                _logits = new float[past.Rows * VocabularySize];
            }
            LogitsReader.CopyLastPositions(logits, _logits, VocabularySize);
        }
        return past.Advance(presents, width);
    }

    /// <summary>Row <paramref name="row"/>'s logits from the last run (valid until the next one).</summary>
    public ReadOnlySpan<float> Logits(int row) => _logits.AsSpan(row * VocabularySize, VocabularySize);

    /// <summary>
    /// One ONNX Runtime run: the logits and the present.* values, in <see cref="DecoderLayout.PresentNames"/> order
    /// (new values, or past's own where they are written in place).
    /// </summary>
    protected abstract (OrtValue Logits, OrtValue[] Presents) Execute(List<(string Name, OrtValue Value)> tokenInputs, KvCache past, RunOptions runOptions);

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}
