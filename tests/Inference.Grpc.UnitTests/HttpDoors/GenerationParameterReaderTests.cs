using System.Text.Json;
using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.UnitTests.HttpDoors;

public sealed class GenerationParameterReaderTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("""{"max_tokens": 7}""")]
    [InlineData("""{"max_completion_tokens": 7, "max_tokens": 7}""")]
    [InlineData("""{"max_completion_tokens": 7}""")]
    [InlineData("""{"max_new_tokens": 7}""")]
    [InlineData("""{"maxOutputTokens": 7}""")]
    public void Each_door_names_max_tokens_its_own_way(string json)
    {
        Assert.Equal(7, GenerationParameterReader.Read(Json(json)).MaxNewTokens);
    }

    [Fact]
    public void Vertex_and_openai_spellings_fill_the_same_parameters()
    {
        var openAI = GenerationParameterReader.Read(Json("""{"temperature": 0.5, "top_p": 0.9, "top_k": 5, "stop": "END", "seed": 42}"""));
        var vertex = GenerationParameterReader.Read(Json("""{"temperature": 0.5, "topP": 0.9, "topK": 5, "stopSequences": ["END"], "seed": 42}"""));

        Assert.Equal(openAI with { Stop = [] }, vertex with { Stop = [] });
        Assert.Equal(["END"], openAI.Stop);
        Assert.Equal(["END"], vertex.Stop);
        Assert.Equal(42UL, openAI.Seed);
    }

    [Fact]
    public void Hugging_Face_do_sample_false_is_greedy_and_negative_seeds_keep_their_bits()
    {
        var p = GenerationParameterReader.Read(Json("""{"do_sample": false, "temperature": 0.7, "seed": -1, "repetition_penalty": 1.2}"""));

        Assert.Equal(0f, p.Temperature);
        Assert.Equal(ulong.MaxValue, p.Seed);
        Assert.Equal(1.2f, p.RepetitionPenalty);
    }

    [Fact]
    public void Absent_parameters_are_left_to_the_model()
    {
        var p = GenerationParameterReader.Read(null);

        Assert.Null(p.MaxNewTokens);
        Assert.Null(p.Temperature);
        Assert.Empty(p.Stop);
    }

    [Theory]
    [InlineData("""{"temperature": "hot"}""", "temperature")]
    [InlineData("""{"max_tokens": 1.5}""", "max_tokens")]
    [InlineData("""{"max_tokens": 9999999999}""", "max_tokens")]
    [InlineData("""{"stop": [1]}""", "stop")]
    [InlineData("""{"ignore_eos": "yes"}""", "ignore_eos")]
    public void A_value_of_the_wrong_type_is_a_400_naming_the_field(string json, string field)
    {
        var error = Assert.Throws<HttpDoorException>(() => GenerationParameterReader.Read(Json(json)));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(field, error.Param);
        Assert.Contains(field, error.Message);
    }

    [Fact]
    public void Parameters_must_be_an_object()
    {
        Assert.Equal(400, Assert.Throws<HttpDoorException>(() => GenerationParameterReader.Read(Json("[1]"))).StatusCode);
    }
}
