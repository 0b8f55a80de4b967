using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V1;
using MlStack.Inference.V2;

namespace MlStack.Inference.IntegrationTests.Security;

/// <summary>
/// Every gRPC method and HTTP route asks for the inference API key ("authorization: Bearer" or "x-api-key"); health,
/// liveness, /metrics and grpc.health stay open; repository control asks for the admin key.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class AuthenticationTests(InferenceServer server)
{
    /// <summary>One call of each gRPC method (the repository's controls apart), on a channel with the given key.</summary>
    public static TheoryData<string> Methods => new()
    {
        "ServerLive", "ServerReady", "ModelReady", "ServerMetadata", "ModelMetadata", "ModelInfer", "RepositoryIndex",
        "Embed", "Generate", "Chat", "ListModels",
    };

    private static async Task CallAsync(GrpcChannel channel, string method)
    {
        var inference = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var generation = new TextGeneration.TextGenerationClient(channel);
        switch (method)
        {
            case "ServerLive": await inference.ServerLiveAsync(new ServerLiveRequest()); break;
            case "ServerReady": await inference.ServerReadyAsync(new ServerReadyRequest()); break;
            case "ModelReady": await inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.TinyTensor }); break;
            case "ServerMetadata": await inference.ServerMetadataAsync(new ServerMetadataRequest()); break;
            case "ModelMetadata": await inference.ModelMetadataAsync(new ModelMetadataRequest { Name = InferenceServer.TinyTensor }); break;
            case "ModelInfer": await inference.ModelInferAsync(KServe.TensorModelTests.FloatRequest(1, [1, 2, 3, 4], [4, 3, 2, 1])); break;
            case "RepositoryIndex": await inference.RepositoryIndexAsync(new RepositoryIndexRequest()); break;
            case "Embed": await new MlStack.Inference.V1.Embeddings.EmbeddingsClient(channel).EmbedAsync(new EmbedRequest { Texts = { "key" } }); break;
            case "ListModels": await generation.ListModelsAsync(new ListModelsRequest()); break;
            // The fixture loads no generator at start: with the key, these answer NOT_FOUND, which proves they were let in.
            case "Generate": await ReadAllAsync(generation.Generate(new GenerateRequest { Prompt = "key" })); break;
            case "Chat": await ReadAllAsync(generation.Chat(new ChatRequest { Messages = { new ChatMessage { Role = "user", Content = "key" } } })); break;
            default: throw new ArgumentException(method);
        }
    }

    private static async Task ReadAllAsync(AsyncServerStreamingCall<GenerateResponse> call)
    {
        using (call)
        {
            await foreach (var _ in call.ResponseStream.ReadAllAsync())
            {
            }
        }
    }

    private static async Task<StatusCode> StatusOfAsync(GrpcChannel channel, string method)
    {
        try
        {
            await CallAsync(channel, method);
            return StatusCode.OK;
        }
        catch (RpcException error)
        {
            return error.StatusCode;
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_grpc_call_without_a_key_is_unauthenticated(string method)
    {
        using var channel = server.OpenChannel(key: null);

        var error = await Assert.ThrowsAsync<RpcException>(() => CallAsync(channel, method));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("inference API key", error.Status.Detail);
        await server.AssertServingAsync();
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_grpc_call_with_a_wrong_key_is_unauthenticated(string method)
    {
        using var channel = server.OpenChannel(server.ApiKey + "x");

        Assert.Equal(StatusCode.Unauthenticated, await StatusOfAsync(channel, method));
        await server.AssertServingAsync();
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task A_grpc_call_with_the_key_is_let_in(string method)
    {
        var status = await StatusOfAsync(server.Channel, method);

        Assert.True(status is StatusCode.OK or StatusCode.NotFound, $"{method} with the key answered {status}");
        await server.AssertServingAsync();
    }

    [Fact]
    public async Task The_key_is_also_accepted_as_x_api_key()
    {
        using var channel = server.OpenChannel(key: null);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        var live = await client.ServerLiveAsync(new ServerLiveRequest(), new Metadata { { "x-api-key", server.ApiKey } });

        Assert.True(live.Live);
        await server.AssertServingAsync();
    }

    [Fact]
    public async Task Grpc_health_stays_open()
    {
        using var channel = server.OpenChannel(key: null);

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        await server.AssertServingAsync();
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/metrics")]
    [InlineData("/ping")]
    [InlineData("/vertex/health")]
    public async Task Health_liveness_and_metrics_stay_open(string path)
    {
        using var http = new HttpClient { BaseAddress = server.Http.BaseAddress };

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await server.AssertServingAsync();
    }

    /// <summary>
    /// A route nobody mapped stands for every route added later (the HTTP doors): the fallback policy covers it, so
    /// without a key it is 401 with a problem, and only with the key the routing answer (404) comes through.
    /// </summary>
    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-key-0123456789", HttpStatusCode.Unauthorized)]
    [InlineData("right", HttpStatusCode.NotFound)]
    public async Task Every_other_http_route_asks_for_the_key(string? key, HttpStatusCode expected)
    {
        using var http = new HttpClient { BaseAddress = server.Http.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/no-such-route") { Content = new StringContent("{}") };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key == "right" ? server.ApiKey : key);

        using var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
            Assert.Contains("x-api-key", problem.RootElement.GetProperty("detail").GetString());
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
        await server.AssertServingAsync();
    }

    /// <summary>Each HTTP door's API routes, with a request MiniLM answers (the fixture loads no generator).</summary>
    public static TheoryData<string, string, string> DoorRoutes => new()
    {
        { "POST", "/v1/embeddings", """{"input": "key"}""" },
        { "GET", "/v1/models", "" },
        { "POST", "/v1/chat/completions", """{"model": "tiny-gpt", "messages": [{"role": "user", "content": "key"}]}""" },
        { "POST", "/v1/completions", """{"model": "tiny-gpt", "prompt": "key"}""" },
        { "POST", "/invocations", """{"inputs": ["key"]}""" },
        { "POST", "/vertex/predict", """{"instances": [{"text": "key"}]}""" },
    };

    /// <summary>
    /// The HTTP doors are behind the same policy as every gRPC method: no key or a wrong one is a 401 problem before
    /// the body is read; with the key (Bearer, as OpenAI clients send their api key, or x-api-key) the door answers.
    /// </summary>
    [Theory]
    [MemberData(nameof(DoorRoutes))]
    public async Task Every_http_door_route_asks_for_the_key(string method, string path, string body)
    {
        using var http = new HttpClient { BaseAddress = server.Http.BaseAddress };
        HttpRequestMessage Request(string? header, string? key)
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (body.Length > 0) request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            if (header is not null) request.Headers.TryAddWithoutValidation(header, key);
            return request;
        }

        foreach (var (header, key) in new (string?, string?)[] { (null, null), ("Authorization", "Bearer wrong-key-0123456789"), ("x-api-key", "wrong-key-0123456789") })
        {
            using var request = Request(header, key);
            using var refused = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        }
        foreach (var (header, key) in new[] { ("Authorization", "Bearer " + server.ApiKey), ("x-api-key", server.ApiKey) })
        {
            using var request = Request(header, key);
            using var answered = await http.SendAsync(request);
            // Generation routes answer 404 (no generator loaded here): they were let in.
            Assert.True(answered.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound,
                $"{method} {path} with {header}: {(int)answered.StatusCode} {await answered.Content.ReadAsStringAsync()}");
        }
        await server.AssertServingAsync();
    }

    [Fact]
    public async Task Repository_control_with_the_api_key_is_permission_denied()
    {
        var load = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyTensor }).ResponseAsync);
        var unload = await Assert.ThrowsAsync<RpcException>(() =>
            server.Inference.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.MiniLm }).ResponseAsync);

        Assert.Equal((StatusCode.PermissionDenied, StatusCode.PermissionDenied), (load.StatusCode, unload.StatusCode));
        Assert.Contains("admin key", unload.Status.Detail);
        await server.AssertServingAsync(); // MiniLM is still loaded
    }

    [Fact]
    public async Task Repository_control_without_a_key_is_unauthenticated()
    {
        using var channel = server.OpenChannel(key: null);

        var error = await Assert.ThrowsAsync<RpcException>(() => new GRPCInferenceService.GRPCInferenceServiceClient(channel)
            .RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.MiniLm }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        await server.AssertServingAsync();
    }

    [Fact]
    public async Task Repository_control_with_the_admin_key_loads_and_unloads()
    {
        using var channel = server.OpenChannel(server.AdminKey);
        var admin = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        await admin.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = InferenceServer.TinyGenerator });
        await admin.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = InferenceServer.TinyGenerator });

        // The admin key is a caller too.
        Assert.True((await admin.ServerLiveAsync(new ServerLiveRequest())).Live);
        await server.AssertServingAsync();
    }
}
