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
        // <|im_start|> too: a demo model that opens a new turn has left its own, and its answer ends there instead of
        // showing the next role word (as Llama 3's generation_config lists <|eot_id|> beside <|end_of_text|>).
        Assert.Equal(
            new[] { tokenizer.SpecialTokens["<|endoftext|>"], tokenizer.SpecialTokens["<|im_end|>"], tokenizer.SpecialTokens["<|im_start|>"] }.Order(),
            defaults.EosTokenIds.Order());
        Assert.True(defaults.DoSample);
    }
}
