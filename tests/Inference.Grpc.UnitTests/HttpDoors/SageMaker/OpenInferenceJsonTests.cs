using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using MlStack.Inference.HttpDoors;
using MlStack.Inference.HttpDoors.SageMaker;
using MlStack.Inference.V2;

namespace MlStack.Inference.UnitTests.HttpDoors.SageMaker;

public sealed class OpenInferenceJsonTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void Nested_data_is_read_row_major_into_typed_contents()
    {
        var request = OpenInferenceJson.ToRequest(Json("""
            {"id": "7", "inputs": [
              {"name": "A", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4.5]]},
              {"name": "B", "shape": [3], "datatype": "INT8", "data": [-1, 0, 1]},
              {"name": "C", "shape": [1], "datatype": "BYTES", "data": ["héllo"]}],
             "outputs": [{"name": "OUT"}]}
            """), new ModelReference("m", "3"));

        Assert.Equal(("m", "3", "7"), (request.ModelName, request.ModelVersion, request.Id));
        Assert.Equal([1f, 2f, 3f, 4.5f], request.Inputs[0].Contents.Fp32Contents);
        Assert.Equal([2L, 2L], request.Inputs[0].Shape);
        Assert.Equal([-1, 0, 1], request.Inputs[1].Contents.IntContents);
        Assert.Equal("héllo", request.Inputs[2].Contents.BytesContents[0].ToStringUtf8());
        Assert.Equal("OUT", Assert.Single(request.Outputs).Name);
    }

    [Theory]
    [InlineData("""{"inputs": [{"name": "A", "shape": [1], "datatype": "FP32", "data": ["x"]}]}""")]
    [InlineData("""{"inputs": [{"name": "A", "shape": [1], "datatype": "FP16", "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"name": "A", "datatype": "FP32", "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"shape": [1], "datatype": "FP32", "data": [1]}]}""")]
    [InlineData("""{"inputs": [{"name": "A", "shape": [1], "datatype": "FP32"}]}""")]
    public void Inputs_that_cannot_be_read_are_400(string json)
    {
        Assert.Equal(400, Assert.Throws<HttpDoorException>(() => OpenInferenceJson.ToRequest(Json(json), new ModelReference("m", null))).StatusCode);
    }

    [Fact]
    public void Only_all_bytes_inputs_are_texts()
    {
        Assert.Equal(["a", "b"], OpenInferenceJson.Texts(Json("""{"inputs": [{"name": "t", "shape": [2], "datatype": "BYTES", "data": ["a", "b"]}]}""")));
        Assert.Null(OpenInferenceJson.Texts(Json("""{"inputs": [{"name": "t", "shape": [1], "datatype": "INT64", "data": [1]}]}""")));
        Assert.True(OpenInferenceJson.Matches(Json("""{"inputs": [{"name": "t"}]}""")));
        Assert.False(OpenInferenceJson.Matches(Json("""{"inputs": ["a"]}""")));
        Assert.False(OpenInferenceJson.Matches(Json("""{"inputs": "a"}""")));
    }

    [Fact]
    public void Raw_outputs_are_written_as_json_values()
    {
        var response = new ModelInferResponse { ModelName = "m", ModelVersion = "1", Id = "9" };
        response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "F", Datatype = "FP32", Shape = { 1, 2 } });
        response.RawOutputContents.Add(ByteString.CopyFrom([.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f)]));
        response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor { Name = "I", Datatype = "INT64", Shape = { 1 } });
        response.RawOutputContents.Add(ByteString.CopyFrom(BitConverter.GetBytes(-7L)));
        var buffer = new ArrayBufferWriter<byte>();

        OpenInferenceJson.WriteResponse(buffer, response);

        Assert.Equal("""{"model_name":"m","model_version":"1","id":"9","outputs":[{"name":"F","datatype":"FP32","shape":[1,2],"data":[1.5,-2]},{"name":"I","datatype":"INT64","shape":[1],"data":[-7]}]}""",
            JsonNode.Parse(buffer.WrittenSpan)!.ToJsonString());
    }
}
