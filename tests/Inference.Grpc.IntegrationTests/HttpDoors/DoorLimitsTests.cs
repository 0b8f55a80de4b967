using Grpc.Core;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.HttpDoors;

/// <summary>One sequence at a time, no queue, and a 4 KiB body limit: every door's limits are easy to reach.</summary>
public sealed class LimitedDoorsHost : GenerationHost
{
    public const int BodyLimit = 4096;

    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings =>
    [
        new("Generation:MaxConcurrentSequences", "1"),
        new("Generation:MaxWaitingRequests", "0"),
        new("HttpDoors:MaxRequestBodyBytes", BodyLimit.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("HttpDoors:RetryAfterSeconds", "2"),
    ];
}

/// <summary>413, 400, 415 and 429 with Retry-After on every HTTP door; the server answers normally after each.</summary>
public sealed class DoorLimitsTests(LimitedDoorsHost host) : IClassFixture<LimitedDoorsHost>
{
    /// <summary>Each door's route and a small generation request in its own shape.</summary>
    public static TheoryData<string, string> Doors => new()
    {
        { "/v1/chat/completions", """{"model": "tiny-gpt", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}""" },
        { "/v1/completions", """{"model": "tiny-gpt", "prompt": "Hi", "max_tokens": 4}""" },
        { "/invocations", """{"inputs": "Hi", "parameters": {"max_new_tokens": 4}}""" },
        { "/vertex/predict", """{"instances": [{"prompt": "Hi"}], "parameters": {"maxOutputTokens": 4}}""" },
    };

    private Task<HttpResponseMessage> PostAsync(string path, HttpContent content) => host.Http.PostAsync(path, content);

    /// <summary>
    /// One long generation that holds the only place until cancelled. A sequence an earlier test cancelled may still be
    /// leaving its batch, so the holder is retried until it is admitted.
    /// </summary>
    private async Task<AsyncServerStreamingCall<GenerateResponse>> HoldTheOnlyPlaceAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var holder = host.TextGeneration.Generate(new GenerateRequest
            {
                Model = "tiny-gpt",
                Prompt = "Once upon a time",
                Parameters = new GenerationParameters { MaxNewTokens = 900, IgnoreEos = true, Temperature = 0 },
            }, cancellationToken: cancellationToken);
            try
            {
                Assert.True(await holder.ResponseStream.MoveNext(cancellationToken));
                return holder;
            }
            catch (RpcException error) when (error.StatusCode == StatusCode.ResourceExhausted && DateTime.UtcNow < deadline)
            {
                holder.Dispose();
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task AnswersNormallyAsync(string path, string body)
    {
        using var response = await PostAsync(path, Json(body));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        // OpenAI's error object on /v1, problem details on the cloud doors.
        var message = (string?)body["error"]?["message"] ?? (string?)body["detail"];
        Assert.False(string.IsNullOrEmpty(message), body.ToJsonString());
        return message!;
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task An_oversize_body_is_413_with_or_without_a_length(string path, string body)
    {
        var padding = new string(' ', LimitedDoorsHost.BodyLimit);
        using (var withLength = await PostAsync(path, Json(body[..^1] + padding + "}")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withLength.StatusCode);
            Assert.Contains("HttpDoors:MaxRequestBodyBytes", await ErrorMessageAsync(withLength));
        }
        // Chunked: the limit is found while reading.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body[..^1] + padding + "}")));
        chunked.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using (var withoutLength = await host.Http.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, withoutLength.StatusCode);
        }
        await AnswersNormallyAsync(path, body);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_malformed_body_is_400_with_a_json_error(string path, string body)
    {
        using var response = await PostAsync(path, Json(body[..^2]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("JSON", await ErrorMessageAsync(response));
        await AnswersNormallyAsync(path, body);
    }

    [Theory]
    [MemberData(nameof(Doors))]
    public async Task A_body_that_is_not_json_is_415(string path, string body)
    {
        using var response = await PostAsync(path, new StringContent(body, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", await ErrorMessageAsync(response));
    }

    [Fact]
    public async Task A_full_admission_limit_is_429_with_retry_after_on_every_door_and_serving_resumes()
    {
        using (var cancel = new CancellationTokenSource())
        {
            using var holder = await HoldTheOnlyPlaceAsync(cancel.Token);

            foreach (var door in Doors)
            {
                var (path, body) = ((string)door[0], (string)door[1]);
                using var response = await PostAsync(path, Json(body));
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
                await ErrorMessageAsync(response);
            }
            await cancel.CancelAsync();
        }

        foreach (var door in Doors)
        {
            var (path, body) = ((string)door[0], (string)door[1]);
            // The cancelled sequence leaves its place at the scheduler's next step.
            var answered = await Polling.UntilAsync(async () =>
            {
                using var response = await PostAsync(path, Json(body));
                return response.StatusCode;
            }, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
            Assert.Equal(HttpStatusCode.OK, answered);
        }
    }

    [Fact]
    public async Task A_streamed_request_refused_at_admission_is_a_429_before_any_event()
    {
        using var cancel = new CancellationTokenSource();
        using var holder = await HoldTheOnlyPlaceAsync(cancel.Token);

        using var response = await PostAsync("/v1/chat/completions",
            Json("""{"model": "tiny-gpt", "messages": [{"role": "user", "content": "Hi"}], "stream": true}"""));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("rate_limit_error", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["type"]);
        await cancel.CancelAsync();
    }
}
