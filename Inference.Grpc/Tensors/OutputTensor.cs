using Google.Protobuf;

namespace MlStack.Inference.Tensors;

/// <summary>One output of a run, cut to one request's rows: what ModelInfer answers with.</summary>
public sealed record OutputTensor(string Name, string DataType, long[] Shape, ByteString Data);
