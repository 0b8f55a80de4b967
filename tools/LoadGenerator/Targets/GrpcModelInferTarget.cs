using System.Text;
using Google.Protobuf;
using Grpc.Core;
using MlStack.Inference.V2;
using MlStack.LoadGenerator.Cli;

namespace MlStack.LoadGenerator.Targets;

/// <summary>
/// Open Inference Protocol ModelInfer on any model: the inputs are built once from the model's metadata, batch 1,
/// variable dimensions set to <see cref="VariableDimension"/>, filled with ones (valid token ids, masks and type ids
/// for the text encoders, plain numbers otherwise). It measures the server, not the values.
/// </summary>
public sealed class GrpcModelInferTarget(GrpcConnection connection, string model, int batch) : GrpcTarget(connection)
{
    public const int VariableDimension = 16;

    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client = new(connection.Channel);
    private ModelInferRequest? _request;

    public override string Description => $"grpc-infer {model} {Connection.Channel.Target}";

    public override string TokenKind => "none";

    public override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        ModelMetadataResponse metadata;
        try
        {
            metadata = await _client.ModelMetadataAsync(new ModelMetadataRequest { Name = model }, Connection.Call(cancellationToken));
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.NotFound or StatusCode.InvalidArgument or StatusCode.Unavailable && !Failures.IsUnreachable(e))
        {
            throw new UsageException($"grpc-infer: the server has no ready model '{model}' ({e.Status.Detail}).", ExitCodes.TargetUnusable);
        }
        _request = BuildRequest(metadata, batch);
    }

    public static ModelInferRequest BuildRequest(ModelMetadataResponse metadata, int batch)
    {
        var request = new ModelInferRequest { ModelName = metadata.Name };
        foreach (var input in metadata.Inputs)
        {
            var shape = input.Shape.Select((d, i) => d >= 0 ? d : i == 0 ? batch : VariableDimension).ToArray();
            var count = shape.Aggregate(1L, (a, b) => a * b);
            var tensor = new ModelInferRequest.Types.InferInputTensor { Name = input.Name, Datatype = input.Datatype, Shape = { shape } };
            tensor.Contents = input.Datatype switch
            {
                "INT64" => new InferTensorContents { Int64Contents = { Enumerable.Repeat(1L, (int)count) } },
                "INT32" or "INT16" or "INT8" => new InferTensorContents { IntContents = { Enumerable.Repeat(1, (int)count) } },
                "UINT64" => new InferTensorContents { Uint64Contents = { Enumerable.Repeat(1UL, (int)count) } },
                "UINT32" or "UINT16" or "UINT8" => new InferTensorContents { UintContents = { Enumerable.Repeat(1U, (int)count) } },
                "FP32" => new InferTensorContents { Fp32Contents = { Enumerable.Repeat(1f, (int)count) } },
                "FP64" => new InferTensorContents { Fp64Contents = { Enumerable.Repeat(1d, (int)count) } },
                "BOOL" => new InferTensorContents { BoolContents = { Enumerable.Repeat(true, (int)count) } },
                "BYTES" => new InferTensorContents { BytesContents = { Enumerable.Repeat(ByteString.CopyFrom("load", Encoding.UTF8), (int)count) } },
                _ => throw new UsageException($"grpc-infer: input '{input.Name}' of '{metadata.Name}' has datatype {input.Datatype}, which the tool cannot fill.", ExitCodes.TargetUnusable),
            };
            request.Inputs.Add(tensor);
        }
        return request;
    }

    public override async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
    {
        var request = _request ?? throw new InvalidOperationException("PrepareAsync was not called");
        var response = await _client.ModelInferAsync(request, Connection.Call(cancellationToken));
        if (response.Outputs.Count == 0) throw new BadResponseException("ModelInfer answered without outputs");
        return RequestOutcome.Success(0);
    }
}
