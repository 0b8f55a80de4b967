using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Generation.PrefixCaching;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// Automatic prefix caching on against off, side by side in one run: two Inference.Grpc processes
/// (Generation:PrefixCaching=true / false) serving one decoder export folder, requests alternating between them so both
/// see the same machine load, greedy, CPU.
///   - chat: conversations of --turns turns whose first turns hold about --history-tokens tokens of history (user
///     messages of about history/(turns-1) tokens and the model's own answers), then a short question; the time to
///     first token of every turn, the last one compared.
///   - rag: --questions questions of about 20 tokens each after one shared system prompt of about --system-tokens
///     tokens; time to first token p50.
///   - copy: what copy-on-reuse costs, the step alone: building a sequence's cache from the blocks of a --history-tokens
///     prompt and cutting them from it, in this process, with the model's cache shape (from config.json).
/// The TTFT figures are the server's own (the summary's time_to_first_token_ms: arrival to first token).
///   dotnet run -c Release --project tests/Benchmarks -- prefix-cache [--model-dir DIR (default: the shipped tiny-llama)]
///     [--conversations 3] [--turns 6] [--history-tokens 1500] [--questions 20] [--system-tokens 500] [--tokens 16]
///     [--block-tokens 16] [--threads 0]
/// </summary>
public static class PrefixCacheBenchmark
{
    private static readonly string[] Words =
    [
        "the", "river", "market", "engine", "summer", "window", "garden", "number", "silver", "letter", "forest", "signal",
        "carbon", "doctor", "planet", "system", "memory", "bridge", "winter", "farmer", "island", "rocket", "museum", "harbor",
        "report", "metal", "orange", "valley", "pocket", "energy", "battery", "village", "teacher", "history", "weather", "station",
        "and", "of", "with", "under", "after", "before", "about", "because", "while", "near", "across", "between",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var modelDir = Path.GetFullPath(Option(args, "--model-dir", RepositoryPaths.GeneratorVersionDirectory("tiny-llama")));
        var conversations = IntOption(args, "--conversations", 3);
        var turns = IntOption(args, "--turns", 6);
        var historyTokens = IntOption(args, "--history-tokens", 1500);
        var questions = IntOption(args, "--questions", 20);
        var systemTokens = IntOption(args, "--system-tokens", 500);
        var tokens = IntOption(args, "--tokens", 16);
        var blockTokens = IntOption(args, "--block-tokens", 16);
        var threads = Option(args, "--threads", "0");

        var tokenizer = ModelTokenizer.Load(modelDir);
        using var repository = new TestDirectory("mlstack-prefix-bench-");
        const string model = "decoder";
        var modelFolder = Directory.CreateDirectory(Path.Combine(repository.Path, model)).FullName;
        File.WriteAllText(Path.Combine(modelFolder, "model.json"), """{ "task": "text-generation" }""");
        Directory.CreateSymbolicLink(Path.Combine(modelFolder, "1"), modelDir);

        Console.WriteLine($"Model folder: {modelDir}; load average at start: {LoadAverage()}; {Environment.ProcessorCount} cores; blocks of {blockTokens} tokens");
        await using var on = await StartServerAsync(repository.Path, model, caching: true, blockTokens, threads);
        await using var off = await StartServerAsync(repository.Path, model, caching: false, blockTokens, threads);
        using var onChannel = on.OpenChannel();
        using var offChannel = off.OpenChannel();
        var servers = new[] { ("on", new TextGeneration.TextGenerationClient(onChannel)), ("off", new TextGeneration.TextGenerationClient(offChannel)) };

        // Warm-up: both servers run a short chat so the first measured turn does not pay for JIT and first allocations.
        foreach (var (_, client) in servers)
        {
            await ChatAsync(client, model, [("user", Filler(tokenizer, 64, new Random(99)))], tokens);
        }

        // Chat: both servers hold the same conversation (greedy: the same answers), turn by turn, alternating.
        var chatRows = new List<string>();
        var lastTurn = new Dictionary<string, List<Turn>> { ["on"] = [], ["off"] = [] };
        var perUserMessage = historyTokens / Math.Max(1, turns - 1);
        for (var c = 0; c < conversations; c++)
        {
            var random = new Random(1000 + c);
            var history = new Dictionary<string, List<(string Role, string Content)>> { ["on"] = [], ["off"] = [] };
            for (var t = 0; t < turns; t++)
            {
                var question = t == turns - 1
                    ? $"Conversation {c}: in one sentence, what was the {Words[random.Next(Words.Length)]} about?"
                    : $"Conversation {c}, part {t}: " + Filler(tokenizer, perUserMessage, random);
                foreach (var (name, client) in (c + t) % 2 == 0 ? servers : servers.Reverse())
                {
                    history[name].Add(("user", question));
                    var turn = await ChatAsync(client, model, history[name], tokens);
                    history[name].Add(("assistant", turn.Text));
                    chatRows.Add($"| {c} | {t + 1} | {name} | {turn.PromptTokens} | {turn.CachedTokens} | {turn.ServerTtftMs:F1} | {turn.ClientTtftMs:F1} |");
                    Console.WriteLine(chatRows[^1]);
                    if (t == turns - 1) lastTurn[name].Add(turn);
                }
            }
        }

        // RAG: one system prompt, many questions.
        var system = "Answer from these passages. " + Filler(tokenizer, systemTokens, new Random(7));
        var rag = new Dictionary<string, List<Turn>> { ["on"] = [], ["off"] = [] };
        var ragRandom = new Random(11);
        for (var q = 0; q < questions; q++)
        {
            var question = $"Question {q}: what does the passage say about the {Words[ragRandom.Next(Words.Length)]} and the {Words[ragRandom.Next(Words.Length)]}?";
            foreach (var (name, client) in q % 2 == 0 ? servers : servers.Reverse())
            {
                var turn = await ChatAsync(client, model, [("system", system), ("user", question)], tokens);
                rag[name].Add(turn);
            }
        }

        var copy = MeasureCopy(modelDir, historyTokens, blockTokens);

        Console.WriteLine();
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine($"Chat, every turn (server TTFT and client TTFT, ms); {turns} turns, user messages of about {perUserMessage} tokens, then a short question; answers of at most {tokens} tokens:");
        Console.WriteLine("| conversation | turn | cache | prompt tokens | cached tokens | server TTFT ms | client TTFT ms |");
        Console.WriteLine("|---:|---:|---|---:|---:|---:|---:|");
        chatRows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine($"Summary ({conversations} conversations, turn {turns}; RAG: {questions} questions, system prompt of {Median(rag["on"].Select(r => (double)r.PromptTokens)):F0} prompt tokens in all p50):");
        Console.WriteLine("| workload | prompt tokens p50 | cached tokens p50 (on) | TTFT p50 ms, cache off | TTFT p50 ms, cache on | speed-up |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Console.WriteLine(SummaryRow($"chat, turn {turns}", lastTurn));
        Console.WriteLine(SummaryRow("RAG question", rag));
        Console.WriteLine();
        Console.WriteLine($"Copy-on-reuse, the step alone ({copy.Tokens} tokens = {copy.Blocks} blocks of {blockTokens}, {copy.Bytes / 1048576.0:F1} MiB of KV): " +
            $"build a sequence's cache from blocks p50 {copy.BuildMs:F2} ms, cut blocks from a prefilled cache p50 {copy.CutMs:F2} ms");
        return 0;
    }

    private static string SummaryRow(string workload, Dictionary<string, List<Turn>> turns)
    {
        var off = Median(turns["off"].Select(t => t.ServerTtftMs));
        var on = Median(turns["on"].Select(t => t.ServerTtftMs));
        return $"| {workload} | {Median(turns["on"].Select(t => (double)t.PromptTokens)):F0} | {Median(turns["on"].Select(t => (double)t.CachedTokens)):F0} | {off:F1} | {on:F1} | {off / on:F2}x |";
    }

    private static async Task<InferenceProcess> StartServerAsync(string repository, string model, bool caching, int blockTokens, string threads)
    {
        var server = new InferenceProcess(new Dictionary<string, string>
        {
            ["Execution:Provider"] = "cpu",
            ["Execution:IntraOpNumThreads"] = threads,
            ["ModelRepository:Path"] = repository,
            ["ModelRepository:InstallDefaultModel"] = "false",
            ["ModelRepository:Models:0"] = model,
            ["Generation:PrefixCaching"] = caching.ToString(),
            ["Generation:PrefixCacheBlockTokens"] = blockTokens.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        }, echoPrefix: caching ? "server(on)" : "server(off)");
        await server.StartAsync(TimeSpan.FromMinutes(5));
        return server;
    }

    private sealed record Turn(string Text, int PromptTokens, int CachedTokens, double ServerTtftMs, double ClientTtftMs);

    private static async Task<Turn> ChatAsync(TextGeneration.TextGenerationClient client, string model, IReadOnlyList<(string Role, string Content)> messages, int tokens)
    {
        var request = new ChatRequest
        {
            Model = model,
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = tokens },
        };
        request.Messages.AddRange(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Content }));
        var started = Stopwatch.GetTimestamp();
        double? clientTtft = null;
        var text = new StringBuilder();
        GenerationSummary? summary = null;
        using var call = client.Chat(request);
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            clientTtft ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            text.Append(message.Text);
            summary ??= message.Summary;
        }
        if (summary is null) throw new InvalidOperationException("The stream ended without a summary.");
        return new Turn(text.ToString(), summary.Usage.PromptTokens, summary.Usage.CachedPromptTokens, summary.TimeToFirstTokenMs, clientTtft ?? 0);
    }

    /// <summary>Words drawn at random until the text is about <paramref name="target"/> tokens long.</summary>
    private static string Filler(ModelTokenizer tokenizer, int target, Random random)
    {
        var text = new StringBuilder();
        while (true)
        {
            for (var i = 0; i < 16; i++)
            {
                text.Append(Words[random.Next(Words.Length)]).Append(random.Next(12) == 0 ? ". " : " ");
            }
            if (tokenizer.Encode(text.ToString()).Count >= target) return text.ToString().TrimEnd();
        }
    }

    private sealed record CopyCost(int Tokens, int Blocks, long Bytes, double BuildMs, double CutMs);

    /// <summary>Building a cache from blocks and cutting blocks from it, in the model's cache shape (the copies themselves: data values do not matter).</summary>
    private static CopyCost MeasureCopy(string modelDir, int promptTokens, int blockTokens)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(modelDir, "config.json")));
        var root = config.RootElement;
        int Read(params string[] names) => names.Select(n => root.TryGetProperty(n, out var v) ? v.GetInt32() : 0).First(v => v > 0);
        var layers = Read("num_hidden_layers", "n_layer");
        var heads = Read("num_attention_heads", "n_head");
        var kvHeads = root.TryGetProperty("num_key_value_heads", out var kv) ? kv.GetInt32() : heads;
        var headDim = root.TryGetProperty("head_dim", out var hd) ? hd.GetInt32() : Read("hidden_size", "n_embd") / heads;
        var layout = new DecoderLayout
        {
            Layers = layers,
            KvHeads = kvHeads,
            HeadDim = headDim,
            CacheType = TensorElementType.Float,
            Format = KvCacheFormat.Concatenated,
            LogitsType = TensorElementType.Float,
            HasPositionIds = true,
            HasUseCacheBranch = false,
            PastNames = [.. Enumerable.Range(0, layers).SelectMany(i => new[] { $"past_key_values.{i}.key", $"past_key_values.{i}.value" })],
            PresentNames = [.. Enumerable.Range(0, layers).SelectMany(i => new[] { $"present.{i}.key", $"present.{i}.value" })],
        };
        var transfer = new HostKvBlockTransfer(layout, blockTokens);
        var count = promptTokens / blockTokens;
        var random = new Random(3);
        var blocks = Enumerable.Range(0, count).Select(_ =>
        {
            var data = new byte[transfer.BlockBytes];
            random.NextBytes(data);
            return new KvBlock(0, null!, [], data);
        }).ToList();
        var build = new List<double>();
        var cut = new List<double>();
        for (var i = 0; i < 12; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var cache = transfer.Build(blocks);
            build.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            started = Stopwatch.GetTimestamp();
            var data = transfer.Cut(cache, 0, count);
            cut.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!data[^1].AsSpan().SequenceEqual(blocks[^1].Data)) throw new InvalidOperationException("A block cut from the cache differs from the one it was built from.");
        }
        return new CopyCost(count * blockTokens, count, count * transfer.BlockBytes, Median(build.Skip(2)), Median(cut.Skip(2)));
    }
}
