using System.Net;

namespace MlStack.VectorStore.IntegrationTests.Api;

[Collection(StoreCollection.Name)]
public sealed class AuthTests(StoreFixture store)
{
    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789abcdef")]
    [InlineData("")]
    [InlineData(ProxyFactory.ApiKey + "x")]
    public async Task Grpc_calls_without_the_right_key_are_unauthenticated_without_detail(string? key)
    {
        var client = store.Proxy.GrpcClient(key);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.ListCollectionsAsync(new ListCollectionsRequest()));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.DoesNotContain("key", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Grpc_streaming_ingest_also_needs_the_key()
    {
        var call = store.Proxy.GrpcClient("wrong-key-0123456789abcdef").IngestDocument(new IngestDocumentRequest
        {
            Collection = "anything", DocumentName = "a.txt", Content = Google.Protobuf.ByteString.CopyFromUtf8("text"),
        });
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task Grpc_calls_with_the_right_key_are_served()
    {
        var response = await store.Proxy.GrpcClient().ListCollectionsAsync(new ListCollectionsRequest());
        Assert.NotNull(response);
    }

    [Theory]
    [InlineData(ProxyFactory.ApiKey, StatusCode.OK)]
    [InlineData("wrong-key-0123456789abcdef", StatusCode.Unauthenticated)]
    public async Task Grpc_calls_may_send_the_key_as_x_api_key(string key, StatusCode expected)
    {
        var client = store.Proxy.GrpcClient(key: null);

        var status = StatusCode.OK;
        try
        {
            await client.ListCollectionsAsync(new ListCollectionsRequest(), new Metadata { { "x-api-key", key } });
        }
        catch (RpcException error)
        {
            status = error.StatusCode;
        }

        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData(ProxyFactory.ApiKey, HttpStatusCode.OK)]
    [InlineData("wrong-key-0123456789abcdef", HttpStatusCode.Unauthorized)]
    public async Task Http_calls_may_send_the_key_as_x_api_key(string key, HttpStatusCode expected)
    {
        using var http = store.Proxy.HttpClient(key: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/collections") { Headers = { { "x-api-key", key } } };

        using var response = await http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789abcdef")]
    public async Task Http_calls_without_the_right_key_get_a_bare_401(string? key)
    {
        using var http = store.Proxy.HttpClient(key);

        foreach (var request in new[]
                 {
                     new HttpRequestMessage(HttpMethod.Get, "/v1/collections"),
                     new HttpRequestMessage(HttpMethod.Post, "/v1/collections/c1/query") { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") },
                     new HttpRequestMessage(HttpMethod.Delete, "/v1/collections/c1"),
                 })
        {
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("", await response.Content.ReadAsStringAsync());
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        }
    }

    [Fact]
    public async Task Http_calls_with_the_right_key_are_served()
    {
        using var http = store.Proxy.HttpClient();
        using var response = await http.GetAsync("/v1/collections");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/metrics")]
    public async Task Health_and_metrics_stay_open(string path)
    {
        using var http = store.Proxy.HttpClient(key: null);
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
