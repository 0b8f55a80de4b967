using System.Globalization;

namespace MlStack.Benchmarks.GenAI;

/// <summary>
/// The peer's command line:
///   Benchmarks.GenAI --model DIR [--threads 2] [--new-tokens 24] [--ignore-eos] [--warmup 1]
///     (--prompt-ids 1,2,3)... | (--prompt-length 128)... [--seed 0]
/// Each --prompt-ids or --prompt-length is one greedy run on the same loaded model, in order; --prompt-length draws
/// seeded ids below the vocabulary size. --threads 0 leaves ONNX Runtime's default (one per core).
/// </summary>
public sealed record PeerOptions(
    string ModelFolder, int Threads, int NewTokens, bool IgnoreEos, int Warmup, IReadOnlyList<int[]> Prompts,
    IReadOnlyList<int> PromptLengths, int Seed)
{
    public const string Usage =
        "usage: Benchmarks.GenAI --model DIR [--threads 2] [--new-tokens 24] [--ignore-eos] [--warmup 1] " +
        "(--prompt-ids 1,2,3 | --prompt-length 128)... [--seed 0]";

    public static PeerOptions Parse(string[] args)
    {
        string? model = null;
        int threads = 2, newTokens = 24, warmup = 1, seed = 0;
        var ignoreEos = false;
        var prompts = new List<int[]>();
        var lengths = new List<int>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--model": model = Value(args, ref i); break;
                case "--threads": threads = Integer(args, ref i); break;
                case "--new-tokens": newTokens = Integer(args, ref i); break;
                case "--warmup": warmup = Integer(args, ref i); break;
                case "--seed": seed = Integer(args, ref i); break;
                case "--ignore-eos": ignoreEos = true; break;
                case "--prompt-ids":
                    prompts.Add(Value(args, ref i).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray());
                    break;
                case "--prompt-length": lengths.Add(Integer(args, ref i)); break;
                default: throw new ArgumentException($"unknown option {args[i]}");
            }
        }
        if (model is null) throw new ArgumentException("--model DIR is required");
        if (!File.Exists(Path.Combine(model, "genai_config.json")))
        {
            throw new ArgumentException($"{Path.GetFullPath(model)} has no genai_config.json: not an onnxruntime-genai model folder");
        }
        if (prompts.Count + lengths.Count == 0) throw new ArgumentException("give at least one --prompt-ids or --prompt-length");
        if (newTokens < 1 || threads < 0 || warmup < 0 || lengths.Any(l => l < 1) || prompts.Any(p => p.Length == 0))
        {
            throw new ArgumentException("--new-tokens and every prompt need at least 1; --threads and --warmup at least 0");
        }
        return new PeerOptions(model, threads, newTokens, ignoreEos, warmup, prompts, lengths, seed);
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    private static int Integer(string[] args, ref int i)
    {
        var text = Value(args, ref i);
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value : throw new ArgumentException($"{args[i - 1]} {text}: expected an integer");
    }
}
