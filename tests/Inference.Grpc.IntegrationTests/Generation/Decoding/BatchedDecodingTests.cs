using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.IntegrationTests.Generation.AttentionFusion;

namespace MlStack.Inference.IntegrationTests.Generation.Decoding;

/// <summary>
/// The batched decoder step on its own: rows of different lengths in one padded, masked run give each row what it
/// gets alone, also after rows leave and join (the cache rebuilt with host copies, and by the gather graph that
/// runs on the device under CUDA, here on host memory). The models run as exported (a concatenated cache): fused at
/// load, their left-aligned shared buffer is SharedBufferDecodingTests' subject.
/// </summary>
public sealed class BatchedDecodingTests(ExportedAttentionHost host) : IClassFixture<ExportedAttentionHost>
{
    /// <summary>Prompts of different lengths; AttentionFusionServingTests batches them too.</summary>
    internal static readonly string[] Prompts =
    [
        "Once upon a time,",
        "The cat",
        "On Monday the weather was cold and the children stayed at home with their mother",
        "One, two, three,",
        "Hello",
    ];

    private const int Steps = 24;

    /// <summary>Each shipped generator on the CPU path (OrtValues, host copies), the GPU path on host memory (IOBinding, gather graph), and a mix.</summary>
    public static TheoryData<string, bool, bool> Paths()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var model in MlStack.Testing.RepositoryPaths.ShippedGeneratorModels)
        {
            data.Add(model, false, false);
            data.Add(model, true, true);
            data.Add(model, false, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Rows_of_different_lengths_in_one_batch_decode_as_they_would_alone_while_rows_leave_and_join(string name, bool ioBinding, bool graph)
    {
        var model = await host.ModelAsync(name);
        using var runOptions = new RunOptions();
        using var rebuilder = Rebuilder(model, graph);
        using DecoderStep step = ioBinding
            ? new IoBindingDecoderStep(model.Session.Session, model.Layout, OrtMemoryInfo.DefaultInstance, model.ContextLength, model.VocabularySize)
            : new OrtValueDecoderStep(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize);
        var prompts = Prompts.Select(p => model.Tokenizer.Encode(p).Select(i => (long)i).ToArray()).ToArray();
        var alone = prompts.Select(p => KvCacheTests.Greedy(step, p, runOptions, Steps)).ToArray();

        // Rows 0-3 start together; row 1 leaves after 8 steps, row 4 joins after 12 (its prompt prefilled alone).
        var rows = new List<int> { 0, 1, 2, 3 };
        var produced = prompts.Select(_ => new List<int>()).ToArray();
        var logits = prompts.Select(_ => new List<float[]>()).ToArray();
        var batch = Join(rebuilder, step, runOptions, null, rows, prompts, produced, logits);
        for (var s = 1; s < Steps + 12; s++)
        {
            if (s == 8)
            {
                batch = Leave(rebuilder, batch, rows, 1);
            }
            if (s == 12)
            {
                batch = Join(rebuilder, step, runOptions, batch, rows, prompts, produced, logits, joining: 4);
            }
            var active = rows.Where(r => produced[r].Count < Steps).ToList();
            if (active.Count == 0) break;
            if (active.Count < rows.Count)
            {
                foreach (var done in rows.Except(active).ToList()) batch = Leave(rebuilder, batch, rows, done);
            }
            var tokens = rows.Select(r => (long)produced[r][^1]).ToArray();
            batch = step.Run(batch, tokens, 1, runOptions);
            for (var i = 0; i < rows.Count; i++)
            {
                var row = step.Logits(i).ToArray();
                logits[rows[i]].Add(row);
                produced[rows[i]].Add(TokenSampler.ArgMax(row));
            }
        }
        batch.Dispose();

        foreach (var r in new[] { 0, 2, 3, 4 })
        {
            Assert.Equal(alone[r].Tokens, produced[r]);
            KvCacheTests.AssertClose(alone[r].Logits, logits[r], 1e-4f);
        }
        Assert.Equal(alone[1].Tokens.Take(8), produced[1]);
    }

    [Fact]
    public async Task The_gather_graph_rebuilds_the_same_bytes_as_the_host_copies()
    {
        var model = await host.TinyGptAsync();
        using var runOptions = new RunOptions();
        using var step = new OrtValueDecoderStep(model.Session.Session, model.Layout, model.ContextLength, model.VocabularySize);
        using var copies = new HostKvCacheRebuilder(model.Layout);
        using var graph = Rebuilder(model, graph: true);

        KvCache Prefill(params long[] ids) => step.Run(KvCache.Empty(model.Layout, 1), ids, ids.Length, runOptions);
        using var first = Prefill(460, 423, 256, 373, 44, 492);
        using var second = Prefill(530, 406);
        using var third = Prefill(301);
        using var batch = copies.Gather([(first, 0), (second, 0)]);
        // The longest row leaves and two join: leading padding no row needs goes, the others are padded.
        (KvCache, int)[] rows = [(batch, 1), (third, 0), (second, 0)];
        using var byHost = copies.Gather(rows);
        using var byGraph = graph.Gather(rows);

        Assert.Equal([2, 1, 2], byHost.Lengths);
        Assert.Equal(2, byHost.Columns);
        Assert.Equal(byHost.Lengths, byGraph.Lengths);
        Assert.Equal(byHost.Columns, byGraph.Columns);
        for (var i = 0; i < byHost.Values.Length; i++)
        {
            var expected = byHost.Values[i].GetTensorDataAsSpan<float>().ToArray();
            Assert.Equal(expected, byGraph.Values[i].GetTensorDataAsSpan<float>().ToArray());
            // Row 1 (one position under two columns): one padding column of zeros per head.
            var rowSize = model.Layout.KvHeads * 2 * model.Layout.HeadDim;
            Assert.All(expected.Skip(rowSize).Take(model.Layout.HeadDim), value => Assert.Equal(0f, value));
            Assert.Contains(expected.Skip(rowSize + model.Layout.HeadDim).Take(model.Layout.HeadDim), value => value != 0f);
        }
    }

    private KvCacheRebuilder Rebuilder(GeneratorModel model, bool graph) => graph
        ? new GraphKvCacheRebuilder(model.Layout, host.Sessions, OrtMemoryInfo.DefaultInstance)
        : new HostKvCacheRebuilder(model.Layout);

    /// <summary>Prefills the joining rows alone, samples their first token and gathers them into the batch.</summary>
    private static KvCache Join(KvCacheRebuilder rebuilder, DecoderStep step, RunOptions runOptions, KvCache? batch, List<int> rows,
        long[][] prompts, List<int>[] produced, List<float[]>[] logits, int? joining = null)
    {
        var joiners = joining is { } one ? new List<int> { one } : [.. rows];
        var prefilled = new List<KvCache>();
        foreach (var r in joiners)
        {
            var cache = step.Run(KvCache.Empty(step.Layout, 1), prompts[r], prompts[r].Length, runOptions);
            var row = step.Logits(0).ToArray();
            logits[r].Add(row);
            produced[r].Add(TokenSampler.ArgMax(row));
            prefilled.Add(cache);
        }
        var sources = new List<(KvCache, int)>();
        if (batch is not null)
        {
            sources.AddRange(rows.Select((_, i) => (batch, i)));
        }
        sources.AddRange(prefilled.Select(c => (c, 0)));
        var merged = rebuilder.Gather(sources);
        batch?.Dispose();
        prefilled.ForEach(c => c.Dispose());
        if (joining is { } added) rows.Add(added);
        return merged;
    }

    private static KvCache Leave(KvCacheRebuilder rebuilder, KvCache batch, List<int> rows, int leaving)
    {
        var kept = rows.Select((r, i) => (r, i)).Where(p => p.r != leaving).ToList();
        var merged = rebuilder.Gather([.. kept.Select(p => (batch, p.i))]);
        batch.Dispose();
        rows.Remove(leaving);
        return merged;
    }
}
