using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlStack.Inference.Execution;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>
/// The cache in device memory (the CUDA provider): the rebuild runs on the device as a small ONNX graph
/// (Graphs/kv_cache_gather_*.onnx, built by tools/kv-cache/make_gather_graphs.py: gather the kept rows, drop padding
/// columns no row needs, put zero padding before the rest, concatenate; for a shared buffer, kv_cache_gather_left_*:
/// keep the leading columns and pad after them up to the capacity) in a session of its own on the model's
/// provider, through IOBinding with the output bound to the cache memory. So nothing of the cache passes through host
/// memory. ONNX Runtime's own OrtEnv.CopyTensors is not used: it only knows the devices of plugin execution
/// providers (it fails even for host to host here). With host memory the same code runs on CPU, which is how it
/// is tested without a GPU.
/// </summary>
public sealed class GraphKvCacheRebuilder(DecoderLayout layout, OrtSessionFactory sessions, OrtMemoryInfo cacheMemory) : KvCacheRebuilder(layout)
{
    private readonly OrtSessionHandle _graph = sessions.Create(ReadGraph(layout.CacheType, layout.Format == KvCacheFormat.SharedBuffer));
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _empty = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, layout.CacheType,
        [0, layout.KvHeads, 0, layout.HeadDim]);
    private OrtIoBinding? _binding;

    private OrtIoBinding Binding => _binding ??= _graph.Session.CreateIoBinding();

    public override KvCache Gather(IReadOnlyList<(KvCache Cache, int Row)> rows, int capacity = 0)
    {
        var lengths = rows.Select(r => r.Cache.Lengths[r.Row]).ToArray();
        var columns = Layout.Format == KvCacheFormat.SharedBuffer ? Math.Max(capacity, lengths.Max()) : lengths.Max();
        // Consecutive rows of the same cache are one source: the batch's kept rows, then each joining sequence.
        var sources = new List<(KvCache Cache, List<long> Rows)>();
        foreach (var (cache, row) in rows)
        {
            if (sources.Count == 0 || !ReferenceEquals(sources[^1].Cache, cache))
            {
                sources.Add((cache, []));
            }
            sources[^1].Rows.Add(row);
        }

        // Sources merge pairwise, one run per cache tensor: (first, second), then (that, third), ...
        OrtValue[]? merged = null;
        var mergedRows = 0;
        try
        {
            var next = 0;
            while (next < sources.Count)
            {
                OrtValue[] first;
                long[] firstRows;
                int firstColumns;
                if (merged is null)
                {
                    (first, firstRows, firstColumns) = (sources[next].Cache.Values, [.. sources[next].Rows], sources[next].Cache.Columns);
                    next++;
                }
                else
                {
                    (first, firstRows, firstColumns) = (merged, [.. Enumerable.Range(0, mergedRows).Select(r => (long)r)], columns);
                }
                KvCache? second = null;
                long[] secondRows = [];
                if (next < sources.Count)
                {
                    (second, secondRows) = (sources[next].Cache, [.. sources[next].Rows]);
                    next++;
                }
                var result = new OrtValue[Layout.PastNames.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = Merge(first[i], firstRows, firstColumns, second?.Values[i] ?? _empty, secondRows, second?.Columns ?? 0, columns);
                }
                DisposeAll(merged);
                merged = result;
                mergedRows = firstRows.Length + secondRows.Length;
            }
            return new KvCache(merged!, lengths, columns, Layout.Format);
        }
        catch
        {
            DisposeAll(merged);
            throw;
        }
    }

    /// <summary>
    /// One run: rows of <paramref name="a"/> then rows of <paramref name="b"/>, each right-aligned under
    /// <paramref name="columns"/> (Concatenated) or left-aligned in <paramref name="columns"/> positions (SharedBuffer).
    /// </summary>
    private OrtValue Merge(OrtValue a, long[] rowsA, int columnsA, OrtValue b, long[] rowsB, int columnsB, int columns)
    {
        var inputs = new List<OrtValue>(8);
        try
        {
            Binding.ClearBoundInputs();
            Binding.ClearBoundOutputs();
            Bind(inputs, "a", a, rowsA, columnsA, columns);
            Bind(inputs, "b", b, rowsB, columnsB, columns);
            Binding.BindOutputToDevice("merged", cacheMemory);
            _graph.Session.RunWithBinding(_runOptions, Binding);
            return Binding.GetOutputValues()[0];
        }
        finally
        {
            DisposeAll(inputs);
        }
    }

    private void Bind(List<OrtValue> inputs, string side, OrtValue cache, long[] rows, int sourceColumns, int columns)
    {
        (string, long[])[] bounds;
        if (Layout.Format == KvCacheFormat.SharedBuffer)
        {
            // Positions are at the front: keep up to the capacity, pad after them.
            long kept = Math.Min(sourceColumns, columns);
            bounds = [("rows_", rows), ("end_", [kept]), ("zeros_", [rows.Length, Layout.KvHeads, columns - kept, Layout.HeadDim])];
        }
        else
        {
            var start = Math.Max(0, sourceColumns - columns);
            bounds = [("rows_", rows), ("start_", [start]), ("zeros_", [rows.Length, Layout.KvHeads, columns - (sourceColumns - start), Layout.HeadDim])];
        }
        Binding.BindInput(side, cache);
        foreach (var (name, value) in bounds)
        {
            var tensor = OrtValue.CreateTensorValueFromMemory(value, [value.Length]);
            inputs.Add(tensor);
            Binding.BindInput(name + side, tensor);
        }
    }

    private static byte[] ReadGraph(TensorElementType type, bool leftAligned)
    {
        var name = (leftAligned ? "left_" : "") + type switch
        {
            TensorElementType.Float => "float",
            TensorElementType.Float16 => "float16",
            _ => throw new InvalidDataException($"past_key_values are {type}; batched decoding on the device supports float32 and float16 caches."),
        };
        using var stream = typeof(GraphKvCacheRebuilder).Assembly.GetManifestResourceStream($"KvCacheGraphs.kv_cache_gather_{name}.onnx")
            ?? throw new InvalidOperationException($"The kv_cache_gather_{name}.onnx resource is missing from the build.");
        using var bytes = new MemoryStream();
        stream.CopyTo(bytes);
        return bytes.ToArray();
    }

    private static void DisposeAll(IEnumerable<OrtValue>? values)
    {
        foreach (var value in values ?? [])
        {
            value.Dispose();
        }
    }

    public override void Dispose()
    {
        _binding?.Dispose();
        _graph.Dispose();
        _runOptions.Dispose();
        _empty.Dispose();
        base.Dispose();
    }
}
