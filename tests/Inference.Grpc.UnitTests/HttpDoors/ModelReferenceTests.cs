using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.UnitTests.HttpDoors;

public sealed class ModelReferenceTests
{
    [Theory]
    [InlineData("tiny-gpt", "tiny-gpt", null)]
    [InlineData("tiny-gpt:2", "tiny-gpt", "2")]
    [InlineData("org:model:12", "org:model", "12")]
    [InlineData("ft:gpt:custom", "ft:gpt:custom", null)]
    [InlineData("tiny-gpt:", "tiny-gpt:", null)]
    [InlineData("", "", null)]
    [InlineData(null, "", null)]
    public void A_numeric_suffix_after_the_last_colon_is_the_version(string? text, string name, string? version)
    {
        var reference = ModelReference.Parse(text);

        Assert.Equal(name, reference.Name);
        Assert.Equal(version, reference.Version);
        Assert.Equal(text ?? "", reference.ToString());
    }
}
