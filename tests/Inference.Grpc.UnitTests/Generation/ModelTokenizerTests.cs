using MlStack.Inference.Generation;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Generation;

public sealed class ModelTokenizerTests
{
    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public void A_shipped_tokenizer_round_trips_any_unicode_text(string model)
    {
        var tokenizer = ModelTokenizer.Load(RepositoryPaths.GeneratorVersionDirectory(model));
        const string text = "Héllo wörld, 你好 👋 <|im_start|>user";

        var ids = tokenizer.Encode(text);

        Assert.Contains(tokenizer.SpecialTokens["<|im_start|>"], ids);
        Assert.Equal("Héllo wörld, 你好 👋 user", tokenizer.Decode(ids));
    }

    [Fact]
    public void Tiny_llama_splits_words_with_the_pattern_of_its_tokenizer_json_not_gpt2s()
    {
        var directory = RepositoryPaths.GeneratorVersionDirectory("tiny-llama");
        using var withoutTokenizerJson = new TestDirectory("mlstack-tokenizer-");
        foreach (var file in new[] { "vocab.json", "merges.txt", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(directory, file), Path.Combine(withoutTokenizerJson.Path, file));
        }
        // Qwen2's pattern keeps a quote with the word after it and newlines with the punctuation before them.
        const string text = "\"Hello,\" said Anna.\n\nThe owl";

        var qwen2 = ModelTokenizer.Load(directory).Encode(text);
        var gpt2 = ModelTokenizer.Load(withoutTokenizerJson.Path).Encode(text);

        Assert.NotEqual(gpt2, qwen2);
        Assert.True(qwen2.Count < gpt2.Count, $"{qwen2.Count} tokens under Qwen2's pattern, {gpt2.Count} under GPT-2's");
        Assert.Equal(text, ModelTokenizer.Load(directory).Decode(qwen2));
    }

    [Fact]
    public void Tiny_llamas_chat_markers_are_single_special_tokens()
    {
        var tokenizer = ModelTokenizer.Load(RepositoryPaths.GeneratorVersionDirectory("tiny-llama"));
        var ids = tokenizer.Encode("<|im_start|>user\nWhat is 2 plus 3?<|im_end|>\n<|im_start|>assistant\n");

        Assert.Equal(["<|endoftext|>", "<|im_start|>", "<|im_end|>"], tokenizer.SpecialTokens.OrderBy(t => t.Value).Select(t => t.Key));
        Assert.Equal(2, ids.Count(id => id == tokenizer.SpecialTokens["<|im_start|>"]));
        Assert.Equal(1, ids.Count(id => id == tokenizer.SpecialTokens["<|im_end|>"]));
        Assert.Equal(3, ids.Count(tokenizer.IsSpecial));
    }
}
