using MlStack.Inference.Generation;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Generation;

public sealed class GenerationDefaultsTests
{
    [Fact]
    public void A_llama_style_config_gives_the_context_and_both_end_tokens()
    {
        var directory = RepositoryPaths.GeneratorVersionDirectory("tiny-llama");
        var tokenizer = ModelTokenizer.Load(directory);

        var defaults = GenerationDefaults.Read(directory, tokenizer);

        Assert.Equal(1024, defaults.ContextLength); // max_position_embeddings
        Assert.Equal(
            new[] { tokenizer.SpecialTokens["<|endoftext|>"], tokenizer.SpecialTokens["<|im_end|>"] }.Order(),
            defaults.EosTokenIds.Order());
        Assert.True(defaults.DoSample);
    }

    /// <summary>genai_config.json's values win over generation_config.json's; config.json is not needed beside it.</summary>
    [Fact]
    public void Genai_config_gives_the_context_end_tokens_and_search_defaults()
    {
        using var folder = new TestDirectory();
        var source = Path.Combine(RepositoryPaths.Root, "tests", "models", "built-tiny", "genai-fp32");
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(folder.Path, file));
        }
        File.WriteAllText(Path.Combine(folder.Path, "generation_config.json"),
            """{ "eos_token_id": 5, "do_sample": false, "temperature": 0.2, "top_k": 3, "max_new_tokens": 40 }""");
        File.WriteAllText(Path.Combine(folder.Path, "genai_config.json"), """
            { "model": { "context_length": 2048, "eos_token_id": [7, 8], "decoder": { "filename": "model.onnx" } },
              "search": { "do_sample": true, "temperature": 0.6, "top_k": 20, "top_p": 0.8, "repetition_penalty": 1.1, "max_length": 1500,
                          "past_present_share_buffer": true } }
            """);
        var tokenizer = ModelTokenizer.Load(folder.Path);

        var defaults = GenerationDefaults.Read(folder.Path, tokenizer, MlStack.Inference.Repository.GenaiConfig.Read(folder.Path));

        Assert.Equal(1500, defaults.ContextLength); // search.max_length caps context_length
        Assert.Equal([7, 8], defaults.EosTokenIds.Order());
        Assert.True(defaults.DoSample);
        Assert.Equal((0.6f, 20, 0.8f, 1.1f), (defaults.Temperature, defaults.TopK, defaults.TopP, defaults.RepetitionPenalty));
        Assert.Equal(40, defaults.MaxNewTokens); // genai_config has no max_new_tokens: generation_config.json's stays
    }
}
