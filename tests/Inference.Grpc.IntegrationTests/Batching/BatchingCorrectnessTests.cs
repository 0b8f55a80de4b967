using System.Text.RegularExpressions;
using Google.Protobuf;
using MlStack.Inference.IntegrationTests.KServe;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V1;
using MlStack.Inference.V2;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Batching;

/// <summary>Requests merged into one padded ONNX Runtime run get the same answers as when they run alone.</summary>
[Collection(ServerCollection.Name)]
public sealed partial class BatchingCorrectnessTests(InferenceServer server)
{
    private static readonly string[] Texts =
    [
        "hi",
        "A man is eating food.",
        "The quick brown fox jumps over the lazy dog near the river bank on a sunny afternoon.",
        "Dynamic batching pads every sequence to the longest one in the batch, and the attention mask keeps padding out of the mean.",
        "ONNX Runtime",
        "Short text.",
        "Triton-compatible inference servers merge concurrent requests into a single execution to use the hardware better.",
        "ok",
    ];

    [Fact]
    public async Task Concurrent_embeddings_equal_those_computed_alone()
    {
        var alone = new Dictionary<string, float[]>();
        foreach (var text in Texts)
        {
            var response = await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { text } });
            alone[text] = response.Embeddings[0].Values.ToArray();
        }

        var (executionsBefore, inferencesBefore) = await CountsAsync(InferenceServer.MiniLm);
        var requests = Enumerable.Range(0, 64).Select(i => Texts[i % Texts.Length]).ToArray();
        var merged = await Task.WhenAll(requests.Select(async text =>
            (text, (await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { text } })).Embeddings[0].Values.ToArray())));
        var (executionsAfter, inferencesAfter) = await CountsAsync(InferenceServer.MiniLm, inferencesBefore + requests.Length);

        foreach (var (text, vector) in merged)
        {
            var expected = alone[text];
            for (var d = 0; d < expected.Length; d++)
                Assert.True(Math.Abs(expected[d] - vector[d]) <= 1e-5, $"'{text}' dim {d}: alone {expected[d]}, merged {vector[d]}");
        }
        Assert.Equal(64, inferencesAfter - inferencesBefore);
        Assert.True(executionsAfter - executionsBefore < 64,
            $"64 concurrent requests took {executionsAfter - executionsBefore} runs: nothing was merged");
    }

    /// <summary>
    /// The service's batches are closed by a token budget (EmbeddingBatching, 8192 by default) and grouped by length:
    /// a mix of short and long texts, one per request and many per request, gets the vectors each text gets alone,
    /// and the server's own histogram shows that no run computed more tokens than the budget.
    /// </summary>
    [Fact]
    public async Task Mixed_length_texts_batched_by_tokens_equal_those_computed_alone_and_no_run_passes_the_budget()
    {
        var longText = string.Join(' ', Enumerable.Repeat(Texts[3], 8)); // cut at the model's 256 tokens
        string[] mixed = [.. Texts, longText, $"{Texts[2]} {Texts[6]}"];
        var alone = new Dictionary<string, float[]>();
        foreach (var text in mixed)
        {
            alone[text] = (await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { text } })).Embeddings[0].Values.ToArray();
        }

        var (_, inferencesBefore) = await CountsAsync(InferenceServer.MiniLm);
        // One text per request, every tenth long (the benchmark's mix), and requests that carry every text at once.
        var requests = Enumerable.Range(0, 60).Select(i => i % 10 == 9 ? [longText] : new[] { mixed[i % Texts.Length] })
            .Concat(Enumerable.Repeat(mixed, 4)).ToArray();
        var answers = await Task.WhenAll(requests.Select(async texts =>
            (texts, (await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { texts } })).Embeddings)));
        await CountsAsync(InferenceServer.MiniLm, inferencesBefore + requests.Sum(r => r.Length));

        foreach (var (texts, embeddings) in answers)
        {
            Assert.Equal(texts.Length, embeddings.Count);
            for (var i = 0; i < texts.Length; i++)
            {
                var expected = alone[texts[i]];
                var vector = embeddings[i].Values;
                for (var d = 0; d < expected.Length; d++)
                    Assert.True(Math.Abs(expected[d] - vector[d]) <= 1e-5, $"'{texts[i][..Math.Min(20, texts[i].Length)]}' dim {d}: alone {expected[d]}, batched {vector[d]}");
            }
        }
        var metrics = await server.Http.GetStringAsync("/metrics");
        var runs = Read(metrics, "mlstack_inference_batch_tokens_count", InferenceServer.MiniLm);
        Assert.True(runs > 0, "no embedding run recorded its tokens");
        Assert.Equal(runs, Read(metrics, "mlstack_inference_batch_tokens_bucket", InferenceServer.MiniLm, "le=\"8192\""));
        Assert.Equal(runs, Read(metrics, "mlstack_inference_batch_padding_ratio_count", InferenceServer.MiniLm));
        Assert.True(Read(metrics, "mlstack_inference_batch_requests_count", InferenceServer.MiniLm) >= runs);
    }

    [Fact]
    public async Task Concurrent_tensor_requests_are_merged_and_split_back_exactly()
    {
        var (executionsBefore, inferencesBefore) = await CountsAsync(InferenceServer.TinyTensor);
        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(async i =>
        {
            var rows = 1 + i % 3;
            var a = Enumerable.Range(0, rows * 4).Select(x => (float)(i * 100 + x)).ToArray();
            var b = Enumerable.Range(0, rows * 4).Select(x => (float)x / 2).ToArray();
            var request = TensorModelTests.FloatRequest(rows, a, b);
            var response = await server.Inference.ModelInferAsync(request);
            return (a, b, rows, response);
        }));
        var (executionsAfter, _) = await CountsAsync(InferenceServer.TinyTensor, inferencesBefore + results.Sum(r => r.rows));

        foreach (var (a, b, rows, response) in results)
        {
            Assert.Equal([rows, 4L], response.Outputs[0].Shape);
            var sum = TensorModelTests.Floats(response.RawOutputContents[0]);
            var product = TensorModelTests.Floats(response.RawOutputContents[1]);
            Assert.Equal(a.Zip(b, (x, y) => x + y), sum);
            Assert.Equal(a.Zip(b, (x, y) => x * y), product);
        }
        Assert.True(executionsAfter - executionsBefore < 32, "concurrent tensor requests were not merged");
    }

    /// <summary>
    /// Execution and inference counters of one model, read from the Prometheus endpoint once every answered request is
    /// in them. Counters are recorded just after answers go out and the exporter caches a scrape for 300 ms, so a
    /// reading counts when it has at least <paramref name="inferences"/> and the next uncached scrape says the same.
    /// </summary>
    internal async Task<(double Executions, double Inferences)> CountsAsync(string model, double inferences = 0)
    {
        (double Executions, double Inferences)? previous = null;
        var settled = await Polling.UntilAsync(async () =>
        {
            var text = await server.Http.GetStringAsync("/metrics");
            var counts = (Read(text, "mlstack_inference_execution_count_total", model), Read(text, "mlstack_inference_count_total", model));
            var stable = counts == previous && counts.Item2 >= inferences;
            previous = counts;
            return (counts, stable);
        }, answer => answer.stable, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(400));
        return settled.counts;
    }

    private static double Read(string metrics, string name, string model, string? label = null)
    {
        var total = 0.0;
        foreach (Match match in SampleLine().Matches(metrics))
        {
            var labels = match.Groups["labels"].Value;
            if (match.Groups["name"].Value == name && labels.Contains($"model=\"{model}\"") && (label is null || labels.Contains(label)))
                total += double.Parse(match.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        return total;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();
}
