using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.IntegrationTests.Generation.BuiltModels;

namespace MlStack.Inference.IntegrationTests.Generation.Decoding;

/// <summary>
/// onnxruntime-genai's shared KV buffer on its own (the built tiny model's genai layouts): rows of different lengths
/// left-aligned in one buffer, written in place, decode as they would alone while rows leave and join, with the buffer
/// rebuilt by host copies and by the gather graph that runs on the device under CUDA (here on host memory); and a
/// cache seeded from given K/V (a reused prefix) continues exactly as the cache it was copied from, in both formats.
/// </summary>
public sealed class SharedBufferDecodingTests(BuiltTinyRepositoryHost host) : IClassFixture<BuiltTinyRepositoryHost>
{
    private const int Steps = 20;

    [Theory]
    [InlineData("genai-fp32", false)]
    [InlineData("genai-fp32", true)]
    [InlineData("genai-int4", false)]
    [InlineData("genai-int4", true)]
    public async Task Rows_of_different_lengths_in_one_shared_buffer_decode_as_alone_while_rows_leave_and_join(string layout, bool graph)
    {
        var model = await host.ModelAsync(layout);
        Assert.Equal(KvCacheFormat.SharedBuffer, model.Layout.Format);
        using var runOptions = new RunOptions();
        using var rebuilder = Rebuilder(model, graph);
        using var step = model.CreateStep();
        Assert.IsType<SharedBufferDecoderStep>(step);
        var prompts = BuiltTinyRepositoryHost.References(layout).Select(r => r.Prompt.Select(i => (long)i).ToArray()).ToArray();
        var capacity = prompts.Max(p => p.Length) + Steps + 8;
        var alone = prompts.Select(p => Greedy(rebuilder, step, p, runOptions, capacity)).ToArray();

        // Rows 0-2 start together; row 1 leaves after 6 steps, row 3 joins after 9 (its prompt prefilled alone).
        var produced = prompts.Select(_ => new List<long>()).ToArray();
        var rows = new List<int>();
        KvCache? batch = null;
        foreach (var r in new[] { 0, 1, 2 })
        {
            batch = Join(rebuilder, step, runOptions, batch, rows, r, prompts[r], produced[r], capacity);
        }
        for (var s = 0; rows.Count > 0; s++)
        {
            if (s == 6)
            {
                var kept = batch!;
                batch = rebuilder.Gather([.. rows.Select((row, i) => (row, i)).Where(p => p.row != 1).Select(p => (kept, p.i))], capacity);
                kept.Dispose();
                rows.Remove(1);
            }
            if (s == 9)
            {
                batch = Join(rebuilder, step, runOptions, batch, rows, 3, prompts[3], produced[3], capacity);
            }
            var finished = rows.Where(r => produced[r].Count >= Steps).ToList();
            if (finished.Count > 0)
            {
                var kept = batch!;
                var keep = rows.Select((row, i) => (row, i)).Where(p => !finished.Contains(p.row)).ToList();
                batch = keep.Count == 0 ? null : rebuilder.Gather([.. keep.Select(p => (kept, p.i))], capacity);
                kept.Dispose();
                rows.RemoveAll(finished.Contains);
                if (rows.Count == 0) break;
            }
            long[] tokens = [.. rows.Select(r => produced[r][^1])];
            batch = step.Run(batch!, tokens, 1, runOptions);
            for (var i = 0; i < rows.Count; i++)
            {
                produced[rows[i]].Add(ArgMax(step.Logits(i)));
            }
        }
        batch?.Dispose();

        Assert.Equal(alone[0], produced[0]);
        Assert.Equal(alone[1][..produced[1].Count], produced[1]);
        Assert.Equal(alone[2], produced[2]);
        Assert.Equal(alone[3], produced[3]);
    }

    /// <summary>
    /// A long prompt is prefilled in chunks (the scheduler's prefill_chunk_tokens): GroupQueryAttention then runs
    /// several new tokens after a past already in the buffer, which must give what one run over the prompt gives.
    /// </summary>
    [Theory]
    [InlineData("genai-fp32", 7)]
    [InlineData("genai-fp32", 16)]
    [InlineData("genai-int4", 7)]
    public async Task A_prompt_prefilled_in_chunks_decodes_as_one_prefilled_at_once(string layout, int chunk)
    {
        var model = await host.ModelAsync(layout);
        using var runOptions = new RunOptions();
        using var rebuilder = Rebuilder(model, graph: false);
        using var step = model.CreateStep();
        long[] prompt = [.. BuiltTinyRepositoryHost.References(layout)[3].Prompt.Select(i => (long)i)];
        Assert.True(prompt.Length > chunk + 1);
        var capacity = prompt.Length + Steps;
        var expected = Greedy(rebuilder, step, prompt, runOptions, capacity);

        var cache = rebuilder.Create(capacity);
        for (var at = 0; at < prompt.Length; at += chunk)
        {
            var width = Math.Min(chunk, prompt.Length - at);
            cache = step.Run(cache, prompt.AsSpan(at, width), width, runOptions);
        }
        var produced = new List<long> { ArgMax(step.Logits(0)) };
        while (produced.Count < Steps)
        {
            cache = step.Run(cache, [produced[^1]], 1, runOptions);
            produced.Add(ArgMax(step.Logits(0)));
        }
        cache.Dispose();
        Assert.Equal(expected, produced);
    }

    /// <summary>The place prefix caching seeds a sequence from: K/V copied out of one cache continue exactly as it does.</summary>
    [Theory]
    [InlineData("genai-fp32", false)]
    [InlineData("genai-fp32", true)]
    [InlineData("optimum-fp32", false)]
    [InlineData("optimum-fp16", false)]
    public async Task A_cache_seeded_from_given_keys_and_values_continues_as_the_one_they_came_from(string layout, bool graph)
    {
        var model = await host.ModelAsync(layout);
        using var runOptions = new RunOptions();
        using var rebuilder = Rebuilder(model, graph);
        using var step = model.CreateStep();
        long[] prompt = [.. BuiltTinyRepositoryHost.References(layout)[3].Prompt.Select(i => (long)i)];
        var capacity = prompt.Length + Steps + 1;
        var expected = Greedy(rebuilder, step, prompt, runOptions, capacity);

        // The prompt's K/V per layer [1, kv_heads, positions, head_dim], copied to host tensors of their own.
        using var prefilled = step.Run(rebuilder.Create(capacity), prompt, prompt.Length, runOptions);
        var given = new List<OrtValue>();
        try
        {
            foreach (var value in prefilled.Values)
            {
                given.Add(Positions(model.Layout, value, prefilled.Columns, prefilled.Padding(0), prompt.Length));
            }
            var cache = rebuilder.Seed(given, prompt.Length, capacity);
            var produced = new List<long> { ArgMax(step.Logits(0)) };
            for (var s = 1; s < expected.Count; s++)
            {
                cache = step.Run(cache, [produced[^1]], 1, runOptions);
                produced.Add(ArgMax(step.Logits(0)));
            }
            cache.Dispose();
            Assert.Equal(expected, produced);
        }
        finally
        {
            foreach (var value in given) value.Dispose();
        }
    }

    private static OrtValue Positions(DecoderLayout layout, OrtValue source, int columns, int padding, int length)
    {
        var position = layout.HeadDim * layout.CacheElementSize;
        var bytes = new byte[layout.KvHeads * length * position];
        var from = source.GetTensorMutableRawData();
        for (var h = 0; h < layout.KvHeads; h++)
        {
            from.Slice((h * columns + padding) * position, length * position).CopyTo(bytes.AsSpan(h * length * position));
        }
        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, layout.CacheType, [1, layout.KvHeads, length, layout.HeadDim]);
        bytes.CopyTo(value.GetTensorMutableRawData());
        return value;
    }

    private static KvCache Join(KvCacheRebuilder rebuilder, DecoderStep step, RunOptions runOptions, KvCache? batch, List<int> rows, int row,
        long[] prompt, List<long> produced, int capacity)
    {
        var own = step.Run(rebuilder.Create(capacity), prompt, prompt.Length, runOptions);
        produced.Add(ArgMax(step.Logits(0)));
        if (batch is null)
        {
            rows.Add(row);
            return own;
        }
        var joined = rebuilder.Gather([.. Enumerable.Range(0, rows.Count).Select(i => (batch, i)), (own, 0)], capacity);
        batch.Dispose();
        own.Dispose();
        rows.Add(row);
        return joined;
    }

    private static List<long> Greedy(KvCacheRebuilder rebuilder, DecoderStep step, long[] prompt, RunOptions runOptions, int capacity)
    {
        var cache = step.Run(rebuilder.Create(capacity), prompt, prompt.Length, runOptions);
        var produced = new List<long> { ArgMax(step.Logits(0)) };
        while (produced.Count < Steps)
        {
            cache = step.Run(cache, [produced[^1]], 1, runOptions);
            produced.Add(ArgMax(step.Logits(0)));
        }
        cache.Dispose();
        return produced;
    }

    private KvCacheRebuilder Rebuilder(GeneratorModel model, bool graph) =>
        graph ? new GraphKvCacheRebuilder(model.Layout, host.Sessions, OrtMemoryInfo.DefaultInstance) : new HostKvCacheRebuilder(model.Layout);

    private static long ArgMax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best]) best = i;
        }
        return best;
    }
}
