using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MlStack.Inference.IntegrationTests.HttpDoors;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Vertex;

/// <summary>What Vertex AI sends a custom container, with the variables it sets: the health route, and predict requests of instances.</summary>
public sealed class VertexContractTests(VertexContainer container) : IClassFixture<VertexContainer>
{
    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PredictAsync(string body, string contentType = "application/json")
    {
        var response = await container.Http.PostAsync(VertexContainer.PredictRoute, new StringContent(body, Encoding.UTF8, contentType));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    [Fact]
    public async Task The_health_route_is_200_on_AIP_HTTP_PORT_once_the_models_from_AIP_STORAGE_URI_are_loaded()
    {
        using var response = await container.Http.GetAsync(VertexContainer.HealthRoute);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task String_instances_are_prompts_answered_with_one_prediction_each()
    {
        var expected = await container.GrpcGreedyAsync("The dog", 8);

        var (status, body, _) = await PredictAsync("""{"instances": ["The dog", "The cat"], "parameters": {"temperature": 0, "maxOutputTokens": 8}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = body!["predictions"]!.AsArray();
        Assert.Equal(2, predictions.Count);
        Assert.Equal(expected, (string?)predictions[0]!["generated_text"]);
        Assert.InRange((int)predictions[0]!["completion_tokens"]!, 1, 8);
        Assert.False(string.IsNullOrEmpty((string?)predictions[1]!["generated_text"]));
    }

    [Fact]
    public async Task Prompt_instances_take_the_parameters()
    {
        var (status, body, _) = await PredictAsync("""{"instances": [{"prompt": "Once upon a time"}], "parameters": {"max_new_tokens": 5, "temperature": 0, "ignore_eos": true}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var prediction = Assert.Single(body!["predictions"]!.AsArray())!;
        Assert.Equal(5, (int)prediction["completion_tokens"]!);
        Assert.Equal("length", (string?)prediction["finish_reason"]);
        Assert.Equal(await container.GrpcGreedyAsync("Once upon a time", 5), (string?)prediction["generated_text"]);
    }

    [Fact]
    public async Task A_repeated_prompt_reports_its_cached_prompt_tokens()
    {
        const string body = """{"instances": [{"prompt": "Vertex repeats this: once upon a time a little girl and her brother walked to the old mill by the river to see the big wheel turn and the ducks swim in the cold water."}], "parameters": {"max_new_tokens": 2, "temperature": 0}}""";

        var (_, first, _) = await PredictAsync(body);
        var (_, second, _) = await PredictAsync(body);

        var miss = first!["predictions"]![0]!;
        var hit = second!["predictions"]![0]!;
        Assert.Equal(0, (int)miss["cached_prompt_tokens"]!);
        var promptTokens = (int)hit["prompt_tokens"]!;
        Assert.True(promptTokens > 16, $"the prompt spans a block of 16 tokens ({promptTokens} tokens)");
        Assert.Equal((promptTokens - 1) / 16 * 16, (int)hit["cached_prompt_tokens"]!); // Generation:PrefixCacheBlockTokens' default
    }

    [Fact]
    public async Task Text_instances_are_embedded_in_the_shape_of_Vertex_embeddings()
    {
        var (status, body, _) = await PredictAsync("""{"instances": [{"text": "A cat sleeps in the sun."}, {"text": "Hello"}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = body!["predictions"]!.AsArray();
        Assert.Equal(2, predictions.Count);
        Assert.All(predictions, p => Assert.Equal(384, p!["embeddings"]!["values"]!.AsArray().Count));
        Assert.True((int)predictions[0]!["embeddings"]!["statistics"]!["token_count"]! > 2);
        Assert.False((bool)predictions[0]!["embeddings"]!["statistics"]!["truncated"]!);
    }

    [Theory]
    [InlineData("""{"instances": []}""", "application/json", 400)]
    [InlineData("""{"inputs": ["Hi"]}""", "application/json", 400)]
    [InlineData("""{"instances": [{"prompt": "Hi"}, {"text": "Hi"}]}""", "application/json", 400)]
    [InlineData("""{"instances": [{"image": "Zm9v"}]}""", "application/json", 400)]
    [InlineData("""{"instances": ["Hi"], "parameters": {"temperature": -2}}""", "application/json", 400)]
    [InlineData("""{"instances": ["Hi"]""", "application/json", 400)]
    [InlineData("""{"instances": ["Hi"]}""", "text/plain", 415)]
    public async Task Bad_requests_are_problem_details_and_the_container_stays_healthy(string body, string contentType, int expected)
    {
        var (status, problem, response) = await PredictAsync(body, contentType);

        Assert.Equal(expected, (int)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty((string?)problem!["detail"]));
        using var health = await container.Http.GetAsync(VertexContainer.HealthRoute);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}

/// <summary>A gs:// AIP_STORAGE_URI that is not mounted stops the start with one clear reason, before any model loads.</summary>
public sealed class VertexStorageTests
{
    [Fact]
    public async Task An_unmounted_gs_uri_stops_the_start_naming_AIP_STORAGE_URI()
    {
        using var mount = new TestDirectory("mlstack-gcs-");
        await using var process = new InferenceProcess(new Dictionary<string, string>
        {
            ["Vertex:GcsMountRoot"] = mount.Path,
            ["HttpDoors:PlatformListenHost"] = "127.0.0.1",
        }) { HttpPortFromEnvironment = true };
        process.Environment["AIP_HTTP_PORT"] = process.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        process.Environment["AIP_STORAGE_URI"] = "gs://not-mounted/models";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => process.StartAsync(TimeSpan.FromSeconds(90)));

        Assert.Contains("process exited", error.Message);
        Assert.Contains("AIP_STORAGE_URI is 'gs://not-mounted/models'", error.Message);
        Assert.Contains("Cloud Storage FUSE", error.Message);
    }
}
