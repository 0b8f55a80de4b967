using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V1;

namespace MlStack.Inference.IntegrationTests.Embeddings;

/// <summary>The real all-MiniLM-L6-v2 through the real Embed RPC, on ONNX Runtime.</summary>
[Collection(ServerCollection.Name)]
public sealed class EmbeddingQualityTests(InferenceServer server)
{
    private async Task<float[][]> EmbedAsync(params string[] texts)
    {
        var response = await server.Embeddings.EmbedAsync(new EmbedRequest { Model = InferenceServer.MiniLm, Texts = { texts }, Normalize = true });
        return response.Embeddings.Select(e => e.Values.ToArray()).ToArray();
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public async Task Similar_sentences_are_close_and_unrelated_ones_are_not()
    {
        var v = await EmbedAsync("A man is eating food.", "A man is eating a piece of bread.",
            "The stock market fell sharply after the central bank raised interest rates.");

        Assert.True(Cosine(v[0], v[1]) > 0.6, $"food/bread cosine {Cosine(v[0], v[1])}");
        Assert.True(Cosine(v[0], v[2]) < 0.1, $"food/stock market cosine {Cosine(v[0], v[2])}");
    }

    [Fact]
    public async Task Response_carries_dimensions_token_counts_and_unit_vectors()
    {
        var response = await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { "hello world" }, Normalize = true });

        Assert.Equal(InferenceServer.MiniLm, response.Model); // the default embedding model
        Assert.Equal("1", response.Version);
        Assert.Equal(384, response.Dimensions);
        var embedding = Assert.Single(response.Embeddings);
        Assert.Equal(384, embedding.Values.Count);
        Assert.Equal(4, embedding.TokenCount); // [CLS] hello world [SEP]
        Assert.False(embedding.Truncated);
        Assert.Equal(1.0, Math.Sqrt(embedding.Values.Sum(x => (double)x * x)), 4);
    }

    [Fact]
    public async Task Long_text_is_truncated_to_the_model_limit_and_flagged()
    {
        var longText = string.Join(' ', Enumerable.Repeat("the quick brown fox jumps over the lazy dog", 60)); // ~540 tokens
        var response = await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { longText, "short" } });

        Assert.True(response.Embeddings[0].Truncated);
        Assert.Equal(256, response.Embeddings[0].TokenCount); // max_sequence_length in model.json
        Assert.False(response.Embeddings[1].Truncated);
        Assert.Equal(3, response.Embeddings[1].TokenCount);
    }

    /// <summary>
    /// Reference computed independently of the service's tokenizer, batcher, padding and pooling code: token ids
    /// looked up by hand in the model's vocab.txt (line number = id), one raw ONNX Runtime session fed a
    /// DenseTensor, mean over the four token states and L2 normalisation written out in loops here.
    /// The first values also agree with sentence-transformers' published output for this model
    /// (model.encode("hello world") starts -0.0345, 0.0310, 0.0067, 0.0261, -0.0394, -0.1603).
    /// </summary>
    [Fact]
    public async Task Hello_world_matches_an_independently_computed_reference()
    {
        var directory = Path.Combine(InferenceServer.EnsureMiniLm(), "1");
        var vocab = File.ReadAllLines(Path.Combine(directory, "vocab.txt")).Select(l => l.TrimEnd('\r')).ToList();
        long[] ids = [vocab.IndexOf("[CLS]"), vocab.IndexOf("hello"), vocab.IndexOf("world"), vocab.IndexOf("[SEP]")];
        Assert.Equal([101L, 7592L, 2088L, 102L], ids);

        using var session = new InferenceSession(Path.Combine(directory, "model.onnx"));
        var shape = new[] { 1, ids.Length };
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
            NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(new long[] { 1, 1, 1, 1 }, shape)),
            NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[4], shape)),
        ]);
        var hidden = results.First(r => r.Name == "last_hidden_state").AsTensor<float>();
        var reference = new double[384];
        for (var d = 0; d < 384; d++)
        {
            for (var t = 0; t < 4; t++) reference[d] += hidden[0, t, d];
            reference[d] /= 4;
        }
        var norm = Math.Sqrt(reference.Sum(x => x * x));
        for (var d = 0; d < 384; d++) reference[d] /= norm;

        var served = (await EmbedAsync("hello world"))[0];

        for (var d = 0; d < 16; d++) Assert.Equal(reference[d], served[d], 5);
        double[] published = [-0.0345, 0.0310, 0.0067, 0.0261, -0.0394, -0.1603];
        for (var d = 0; d < published.Length; d++) Assert.Equal(published[d], served[d], 3);
    }
}
