using MlStack.Inference.Repository;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.Repository;

public sealed class GenaiConfigTests
{
    private static string Folder(string layout) => Path.Combine(RepositoryPaths.Root, "tests", "models", "built-tiny", layout);

    [Fact]
    public void The_builders_genai_config_gives_the_graph_names_context_eos_and_search_defaults()
    {
        var config = GenaiConfig.Read(Folder("genai-int4"))!;

        Assert.Equal("model.onnx", config.FileName);
        Assert.Equal(1024, config.ContextLength);
        Assert.Equal([998, 996], config.EosTokenIds);
        Assert.True(config.PastPresentShareBuffer);
        Assert.Equal(("past_key_values.%d.key", "present.%d.value"), (config.PastKeyNames, config.PresentValueNames));
        Assert.Equal(new GenaiSearchDefaults(true, 0.7f, 0.9f, 50, 1.0f, 1024), config.Search);
    }

    [Fact]
    public void An_optimum_folder_has_none()
    {
        Assert.Null(GenaiConfig.Read(Folder("optimum-fp32")));
    }

    [Fact]
    public void A_config_without_its_model_section_is_refused_naming_the_file()
    {
        using var folder = new TestDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "genai_config.json"), """{ "search": {} }""");

        var error = Assert.Throws<InvalidDataException>(() => GenaiConfig.Read(folder.Path));
        Assert.Equal("genai_config.json cannot be read: 'model' is missing.", error.Message);
    }

    [Theory]
    [InlineData("optimum-fp32", "model.onnx")]
    [InlineData("optimum-merged-fp32", "decoder_model_merged.onnx")]
    [InlineData("genai-fp32", "model.onnx")]
    public void The_version_folder_is_served_from_the_graph_its_layout_names(string layout, string file)
    {
        Assert.Equal(Path.Combine(Folder(layout), file), ModelVersionFolders.ModelFile(Folder(layout)));
    }

    [Fact]
    public void Genai_config_names_a_graph_of_another_name()
    {
        using var folder = new TestDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "genai_config.json"),
            """{ "model": { "context_length": 4096, "decoder": { "filename": "phi3-mini-int4.onnx" } } }""");

        Assert.Equal(Path.Combine(folder.Path, "phi3-mini-int4.onnx"), ModelVersionFolders.ModelFile(folder.Path));
        var config = GenaiConfig.Read(folder.Path)!;
        Assert.False(config.PastPresentShareBuffer); // not stated: the loader refuses it with the reason
        Assert.Equal(new GenaiSearchDefaults(null, null, null, null, null, null), config.Search);
    }
}
