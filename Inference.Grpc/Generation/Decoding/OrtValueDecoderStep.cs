using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The CPU path. ONNX Runtime allocates each step's present.* tensors and they are handed back unchanged as the
/// next step's past_key_values.* (no copy).
/// </summary>
public sealed class OrtValueDecoderStep(InferenceSession session, DecoderLayout layout, int contextLength, int vocabularySize)
    : DecoderStep(session, layout, contextLength, vocabularySize)
{
    private readonly string[] _outputNames = [layout.LogitsName, .. layout.PresentNames];

    protected override (OrtValue Logits, OrtValue[] Presents) Execute(List<(string Name, OrtValue Value)> tokenInputs, KvCache past, RunOptions runOptions)
    {
        var names = new List<string>(tokenInputs.Count + past.Values.Length);
        var values = new List<OrtValue>(names.Capacity);
        foreach (var (name, value) in tokenInputs)
        {
            names.Add(name);
            values.Add(value);
        }
        names.AddRange(Layout.PastNames);
        values.AddRange(past.Values);
        // The collection is not disposed as a whole: the present.* values become the next past.
        var outputs = Session.Run(runOptions, names, values, _outputNames);
        return (outputs[0], [.. outputs.Skip(1)]);
    }
}
