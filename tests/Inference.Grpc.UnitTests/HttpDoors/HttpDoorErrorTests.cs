using System.Text.Json;
using MlStack.Inference.Errors;
using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.UnitTests.HttpDoors;

public sealed class HttpDoorErrorTests
{
    [Theory]
    [InlineData(InferenceErrorReason.InvalidArgument, 400, "invalid_request_error", false)]
    [InlineData(InferenceErrorReason.FailedPrecondition, 400, "invalid_request_error", false)]
    [InlineData(InferenceErrorReason.NotFound, 404, "invalid_request_error", false)]
    [InlineData(InferenceErrorReason.ResourceExhausted, 429, "rate_limit_error", true)]
    [InlineData(InferenceErrorReason.Unavailable, 503, "service_unavailable_error", true)]
    [InlineData(InferenceErrorReason.DeadlineExceeded, 504, "timeout_error", false)]
    [InlineData(InferenceErrorReason.Cancelled, 499, "invalid_request_error", false)]
    [InlineData(InferenceErrorReason.Internal, 500, "server_error", false)]
    public void Engine_refusals_map_to_http(InferenceErrorReason reason, int status, string type, bool retryLater)
    {
        var error = HttpDoorError.From(new InferenceException(reason, "why"));

        Assert.Equal(status, error.StatusCode);
        Assert.Equal(type, error.Type);
        Assert.Equal("why", error.Message);
        Assert.Equal(retryLater, error.RetryLater);
    }

    [Fact]
    public void Malformed_json_and_door_refusals_keep_their_reason()
    {
        var json = HttpDoorError.From(Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse("{")));
        var door = HttpDoorError.From(new HttpDoorException(415, "send JSON"));

        Assert.Equal(400, json.StatusCode);
        Assert.StartsWith("The body is not valid JSON", json.Message);
        Assert.Equal((415, "unsupported_media_type", "send JSON"), (door.StatusCode, door.Code, door.Message));
    }
}
