using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.SageMaker;

/// <summary>What SageMaker sends a real-time endpoint's container, byte for byte: /ping, and /invocations with the bodies its users send.</summary>
public sealed class SageMakerContractTests(SageMakerContainer container) : IClassFixture<SageMakerContainer>
{
    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> InvokeAsync(string body,
        string contentType = "application/json", string? accept = "application/json", string? targetModel = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/invocations")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        if (targetModel is not null) request.Headers.Add("X-Amzn-SageMaker-Target-Model", targetModel);
        var response = await container.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response);
    }

    [Fact]
    public async Task Ping_is_200_on_the_port_SageMaker_names_once_the_models_are_loaded()
    {
        using var response = await container.Http.GetAsync("/ping");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Hugging_Face_generation_answers_generated_text_from_the_model_folder()
    {
        var expected = await container.GrpcGreedyAsync("The dog", 10);

        var (status, body, _) = await InvokeAsync("""{"inputs": "The dog", "parameters": {"max_new_tokens": 10, "do_sample": false}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var answer = Assert.Single(body!.AsArray());
        Assert.Equal(expected, (string?)answer!["generated_text"]);
        Assert.NotEqual("", expected);

        var (_, full, _) = await InvokeAsync("""{"inputs": "The dog", "parameters": {"max_new_tokens": 10, "temperature": 0, "return_full_text": true}}""",
            "application/json; charset=utf-8", accept: null);
        Assert.Equal("The dog" + expected, (string?)full![0]!["generated_text"]);
    }

    [Fact]
    public async Task An_array_of_inputs_is_embedded_one_vector_per_text()
    {
        var (status, body, _) = await InvokeAsync("""{"inputs": ["A cat sleeps in the sun.", "The dog fetches a red ball."]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var vectors = body!.AsArray();
        Assert.Equal(2, vectors.Count);
        Assert.All(vectors, v => Assert.Equal(384, v!.AsArray().Count));
        Assert.Equal(1.0, Math.Sqrt(vectors[0]!.AsArray().Sum(v => Math.Pow((double)v!, 2))), 4);
    }

    [Fact]
    public async Task Open_Inference_Protocol_text_inputs_are_embedded()
    {
        var (status, body, _) = await InvokeAsync("""
            {"id": "r1", "inputs": [{"name": "text", "shape": [2], "datatype": "BYTES", "data": ["A cat sleeps.", "A dog runs."]}]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(InferenceHost.MiniLm, (string?)body!["model_name"]);
        Assert.Equal("r1", (string?)body["id"]);
        var output = Assert.Single(body["outputs"]!.AsArray())!;
        Assert.Equal("embeddings", (string?)output["name"]);
        Assert.Equal("FP32", (string?)output["datatype"]);
        Assert.Equal([2, 384], output["shape"]!.AsArray().Select(d => (int)d!));
        Assert.Equal(768, output["data"]!.AsArray().Count);
    }

    [Fact]
    public async Task Open_Inference_Protocol_tensors_run_on_the_target_model()
    {
        var (status, body, _) = await InvokeAsync("""
            {"inputs": [
              {"name": "INPUT0", "shape": [1, 4], "datatype": "FP32", "data": [[1, 2, 3, 4]]},
              {"name": "INPUT1", "shape": [1, 4], "datatype": "FP32", "data": [10, 20, 30, 40]}],
             "outputs": [{"name": "SUM"}]}
            """, targetModel: "tiny-tensor");

        Assert.Equal(HttpStatusCode.OK, status);
        var output = Assert.Single(body!["outputs"]!.AsArray())!;
        Assert.Equal("SUM", (string?)output["name"]);
        Assert.Equal([11f, 22f, 33f, 44f], output["data"]!.AsArray().Select(v => (float)v!));
        Assert.Equal("1", (string?)body["model_version"]);
    }

    [Theory]
    [InlineData("""{"inputs": "Hi"}""", "text/csv", "application/json", null, 415)]
    [InlineData("""{"inputs": "Hi"}""", "application/json", "text/csv", null, 406)]
    [InlineData("""{"inputs": "Hi", """, "application/json", "application/json", null, 400)]
    [InlineData("""{"prompt": "Hi"}""", "application/json", "application/json", null, 400)]
    [InlineData("""{"inputs": "Hi", "parameters": {"top_p": 7}}""", "application/json", "application/json", null, 400)]
    [InlineData("""{"inputs": "Hi"}""", "application/json", "application/json", "no-such-model", 404)]
    [InlineData("""{"inputs": [{"name": "INPUT0", "shape": [1, 4], "datatype": "INT64", "data": [1, 2, 3, 4]}]}""", "application/json", "application/json", "tiny-tensor", 400)]
    public async Task Bad_requests_are_problem_details_and_the_endpoint_stays_up(string body, string contentType, string accept, string? target, int expected)
    {
        var (status, problem, response) = await InvokeAsync(body, contentType, accept, target);

        Assert.Equal(expected, (int)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, (int)problem!["status"]!);
        Assert.False(string.IsNullOrEmpty((string?)problem["detail"]));
        using var ping = await container.Http.GetAsync("/ping");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }
}
