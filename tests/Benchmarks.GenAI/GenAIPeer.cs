using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace MlStack.Benchmarks.GenAI;

/// <summary>
/// onnxruntime-genai as its users run it: Config (CPU, the thread count overlaid on genai_config.json's
/// session_options), Model, then per prompt GeneratorParams (greedy) and a Generator fed raw ids. Raw ids rather than
/// its Tokenizer, so both sides of a comparison read exactly the same prompt.
/// </summary>
public static class GenAIPeer
{
    public static PeerReport Run(PeerOptions options)
    {
        using var handle = new OgaHandle(); // onnxruntime-genai's process-wide state, released last
        var started = Stopwatch.GetTimestamp();
        using var config = new Config(options.ModelFolder);
        config.ClearProviders(); // CPU
        if (options.Threads > 0)
        {
            config.Overlay("""{"model":{"decoder":{"session_options":{"intra_op_num_threads":""" +
                options.Threads.ToString(CultureInfo.InvariantCulture) + "}}}}");
        }
        using var model = new Model(config);
        var loadSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var rssAfterLoad = PeakResidentMemory.Bytes();

        var vocabulary = VocabularySize(options.ModelFolder);
        var random = new Random(options.Seed);
        var prompts = options.Prompts
            .Concat(options.PromptLengths.Select(n => Enumerable.Range(0, n).Select(_ => random.Next(vocabulary)).ToArray()))
            .ToList();
        for (var i = 0; i < options.Warmup; i++) Generate(model, prompts[0], Math.Min(options.NewTokens, 8), options.IgnoreEos);
        var runs = prompts.Select(p => Generate(model, p, options.NewTokens, options.IgnoreEos)).ToList();
        return new PeerReport("onnxruntime-genai 0.20.0", Path.GetFullPath(options.ModelFolder), model.GetModelType(),
            options.Threads, loadSeconds, rssAfterLoad, PeakResidentMemory.Bytes(), runs);
    }

    private static PeerRun Generate(Model model, int[] prompt, int newTokens, bool ignoreEos)
    {
        using var parameters = new GeneratorParams(model);
        parameters.SetSearchOption("do_sample", false);
        parameters.SetSearchOption("max_length", prompt.Length + newTokens);
        // min_length keeps the eos ids out of the choice until max_length: every run produces newTokens tokens.
        if (ignoreEos) parameters.SetSearchOption("min_length", prompt.Length + newTokens);
        using var generator = new Generator(model, parameters);

        var started = Stopwatch.GetTimestamp();
        generator.AppendTokens(prompt); // the prompt's forward pass
        generator.GenerateNextToken();  // selects the first token from the prompt's logits
        var ids = new List<int>(newTokens) { generator.GetNextTokens()[0] };
        var ttft = Stopwatch.GetElapsedTime(started);
        var steps = new List<double>(newTokens);
        while (!generator.IsDone())
        {
            var before = Stopwatch.GetTimestamp();
            generator.GenerateNextToken();
            steps.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
            ids.Add(generator.GetNextTokens()[0]);
        }
        var decodeSeconds = steps.Sum() / 1000;
        return new PeerRun(prompt.Length, ids.Count, ttft.TotalMilliseconds,
            steps.Count == 0 ? 0 : steps.Count / decodeSeconds, Percentile(steps, 0.5), Percentile(steps, 0.99), ids);
    }

    private static int VocabularySize(string folder)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "genai_config.json")));
        return config.RootElement.GetProperty("model").GetProperty("vocab_size").GetInt32();
    }

    /// <summary>The nearest-rank percentile (p in 0..1); 0 for no values (a run of one token has no decode step).</summary>
    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return 0;
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
