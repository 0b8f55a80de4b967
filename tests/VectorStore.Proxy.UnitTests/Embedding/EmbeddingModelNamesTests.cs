using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Errors;

namespace MlStack.VectorStore.UnitTests.Embedding;

public sealed class EmbeddingModelNamesTests
{
    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("all-MiniLM-L6-v2")]
    [InlineData("bge.small_en")]
    public void Model_names_of_repository_folders_pass(string? model) => EmbeddingModelNames.Validate(model);

    [Theory]
    [InlineData("all-MiniLM-L6-v2\n")]
    [InlineData("../etc/passwd")]
    [InlineData(" padded-model")]
    [InlineData("model with spaces")]
    public void Other_names_are_invalid_and_not_echoed(string model)
    {
        var ex = Assert.Throws<StoreException>(() => EmbeddingModelNames.Validate(model));
        Assert.Equal(StoreErrorKind.InvalidArgument, ex.Kind);
        Assert.DoesNotContain(model, ex.Message);
    }
}
