using Grpc.Core;
using MlStack.Inference.ApiErrors;
using MlStack.Inference.Errors;
using MlStack.Inference.GrpcServices;

namespace MlStack.Inference.UnitTests.ApiErrors;

public sealed class ErrorMappingTests
{
    [Theory]
    [InlineData(InferenceErrorReason.InvalidArgument, StatusCode.InvalidArgument, 400, "invalid_request")]
    [InlineData(InferenceErrorReason.FailedPrecondition, StatusCode.FailedPrecondition, 400, "invalid_request")]
    [InlineData(InferenceErrorReason.NotFound, StatusCode.NotFound, 404, "model_not_found")]
    [InlineData(InferenceErrorReason.ResourceExhausted, StatusCode.ResourceExhausted, 429, "queue_full")]
    [InlineData(InferenceErrorReason.Unavailable, StatusCode.Unavailable, 503, "model_unavailable")]
    [InlineData(InferenceErrorReason.DeadlineExceeded, StatusCode.DeadlineExceeded, 504, "timeout")]
    [InlineData(InferenceErrorReason.Cancelled, StatusCode.Cancelled, 499, "invalid_request")]
    [InlineData(InferenceErrorReason.Internal, StatusCode.Internal, 500, "internal_error")]
    public void Each_reason_has_one_row_for_every_front_end(InferenceErrorReason reason, StatusCode grpc, int http, string code)
    {
        var mapped = MappedError.From(reason);

        Assert.Equal((grpc, http, code), (mapped.GrpcStatus, mapped.HttpStatus, mapped.Code));
    }

    [Fact]
    public void Every_reason_keeps_its_name_as_the_grpc_status_name()
    {
        // The failure metrics' "code" label is the reason's name; callers have always seen the gRPC status name there.
        Assert.All(Enum.GetValues<InferenceErrorReason>(), reason => Assert.Equal(reason.ToString(), MappedError.From(reason).GrpcStatus.ToString()));
    }

    [Fact]
    public void A_grpc_caller_gets_the_status_of_the_table_and_the_engine_message()
    {
        var rpc = GrpcErrorInterceptor.ToRpc(InferenceException.Exhausted("queue full"));

        Assert.Equal((StatusCode.ResourceExhausted, "queue full"), (rpc.StatusCode, rpc.Status.Detail));
    }
}
