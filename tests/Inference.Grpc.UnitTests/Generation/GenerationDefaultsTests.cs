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
}
