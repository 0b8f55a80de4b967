// onnxruntime-genai's own generator loop on one model folder, in a process of its own (this project ships
// onnxruntime-genai's native ONNX Runtime, which must never meet MlStack's): load time, peak resident memory, then per
// prompt TTFT, single-stream tokens/s and the greedy ids, as one JSON document on stdout. See PeerOptions for the
// command line and docs/benchmarks.md for how the MlStack benchmarks and tests drive it.
using System.Text.Json;
using MlStack.Benchmarks.GenAI;

PeerOptions options;
try
{
    options = PeerOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(PeerOptions.Usage);
    return 2;
}

try
{
    var report = GenAIPeer.Run(options);
    Console.WriteLine(JsonSerializer.Serialize(report, PeerJson.Default.PeerReport));
    return 0;
}
catch (Microsoft.ML.OnnxRuntimeGenAI.OnnxRuntimeGenAIException e)
{
    // What onnxruntime-genai refused (a genai_config.json field it does not know, a graph it cannot run), verbatim.
    Console.Error.WriteLine($"onnxruntime-genai refused {options.ModelFolder}: {e.Message}");
    return 1;
}
