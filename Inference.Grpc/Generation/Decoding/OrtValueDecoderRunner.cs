using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The CPU path. ONNX Runtime allocates each step's present.* tensors and they are handed back unchanged as
/// the next step's past_key_values.* (no copy); token inputs live in buffers reused for the whole sequence.
/// With <c>useCache: false</c> every step recomputes the whole sequence from an empty cache instead: the
/// reference the cached path is tested against.
/// </summary>
public sealed class OrtValueDecoderRunner : IDecoderRunner
{
    private readonly InferenceSession _session;
    private readonly DecoderLayout _layout;
    private readonly bool _useCache;
    private readonly DecoderInputs _inputs;
    private readonly RunOptions _runOptions;
    private readonly float[] _logits;
    private readonly string[] _outputNames;
    private readonly List<long> _history = [];
    private OrtValue[] _past;

    public OrtValueDecoderRunner(InferenceSession session, DecoderLayout layout, int contextLength, int vocabularySize,
        RunOptions runOptions, bool useCache = true)
    {
        _session = session;
        _layout = layout;
        _useCache = useCache;
        _runOptions = runOptions;
        _inputs = new DecoderInputs(contextLength);
        _logits = new float[vocabularySize];
        _outputNames = ["logits", .. layout.PresentNames];
        _past = EmptyCache();
    }

    public int PastLength { get; private set; }

    public ReadOnlySpan<float> Forward(ReadOnlySpan<long> tokens)
    {
        if (!_useCache)
        {
            foreach (var t in tokens)
            {
                _history.Add(t);
            }
            tokens = _history.ToArray();
        }
        var tokenInputs = _inputs.Create(_layout, tokens, _useCache ? PastLength : 0);
        var names = new List<string>(tokenInputs.Count + _past.Length);
        var values = new List<OrtValue>(names.Capacity);
        foreach (var (name, value) in tokenInputs)
        {
            names.Add(name);
            values.Add(value);
        }
        names.AddRange(_layout.PastNames);
        values.AddRange(_past);

        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            outputs = _session.Run(_runOptions, names, values, _outputNames);
        }
        finally
        {
            foreach (var (_, value) in tokenInputs)
            {
                value.Dispose();
            }
        }

        // The collection is not disposed as a whole: the present.* values become the next past.
        LogitsReader.CopyLastRow(outputs[0], _logits);
        outputs[0].Dispose();
        DisposeAll(_past);
        if (_useCache)
        {
            _past = [.. outputs.Skip(1)];
            PastLength += tokens.Length;
        }
        else
        {
            DisposeAll([.. outputs.Skip(1)]);
            _past = EmptyCache();
            PastLength = _history.Count;
        }
        return _logits;
    }

    public void Dispose()
    {
        DisposeAll(_past);
        _past = [];
    }

    private OrtValue[] EmptyCache() => [.. _layout.PastNames.Select(_ => _layout.CreateEmptyCache())];

    private static void DisposeAll(IEnumerable<OrtValue> values)
    {
        foreach (var value in values)
        {
            value.Dispose();
        }
    }
}
