using System.Text;
using MlStack.Inference.Generation;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Generation;

/// <summary>The generation tokenizer over real tokenizer.json files: BOS on raw prompts only, content stays text, streaming bytes.</summary>
public sealed class ModelTokenizerJsonTests
{
    [Fact]
    public void A_raw_prompt_gets_the_bos_transformers_gives_it_and_chat_content_does_not()
    {
        var llama = ModelTokenizer.Load(TokenizerReferences.Family("Llama 3.1").Directory);
        var bos = llama.SpecialTokens["<|begin_of_text|>"];
        var eot = llama.SpecialTokens["<|eot_id|>"];

        var prompt = llama.Encode("Hello<|eot_id|>");
        var content = llama.Encode("Hello<|eot_id|>", specialTokens: false, 100, out var complete);

        Assert.Equal(bos, prompt[0]);
        Assert.Equal(eot, prompt[^1]);
        Assert.True(complete);
        Assert.DoesNotContain(bos, content);
        Assert.DoesNotContain(eot, content);
        Assert.Equal("Hello<|eot_id|>", llama.Decode(content));
    }

    [Fact]
    public void Encoding_stops_at_the_token_limit_and_says_the_text_did_not_fit()
    {
        var gemma = ModelTokenizer.Load(TokenizerReferences.Family("Gemma 3").Directory);

        var ids = gemma.Encode(string.Concat(Enumerable.Repeat("many words ", 50)), specialTokens: true, 10, out var complete);

        Assert.False(complete);
        Assert.Equal(10, ids.Count);
    }

    [Theory]
    [InlineData("Gemma 3")]
    [InlineData("Qwen3")]
    [InlineData("gpt-oss")]
    public void Streamed_token_bytes_spell_the_text(string family)
    {
        var tokenizer = ModelTokenizer.Load(TokenizerReferences.Family(family).Directory);
        // Texts the families' normalizers keep: composed (Qwen3's NFC), and without a literal ▁ (Gemma's stands for a space).
        foreach (var text in TokenizerCorpus.Texts.Where(t => t.Normalize(NormalizationForm.FormC) == t && !t.Contains('▁')))
        {
            var ids = tokenizer.Encode(text, specialTokens: false, int.MaxValue, out _);
            var bytes = ids.SelectMany(id => tokenizer.TokenBytes(id).ToArray()).ToArray();
            Assert.Equal(text, Encoding.UTF8.GetString(bytes));
        }
    }
}
