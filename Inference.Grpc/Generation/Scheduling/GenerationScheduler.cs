using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Generation.Scheduling;

/// <summary>
/// Iteration-level (continuous) batching for one model version, on its own thread. Every iteration it
/// (1) drops sequences that left (cancelled, or their stop sequence matched) and admits waiting ones while the
/// running count and the KV budget allow, (2) prefills prompts, at most <see cref="SchedulerSettings.PrefillChunkTokens"/>
/// tokens (longer prompts in chunks over several iterations), and samples each finished prompt's first token, and
/// (3) runs one decoder step for all running sequences together: one ONNX Runtime run, rows of different lengths
/// padded and masked, each with its own position_ids. A sequence whose prompt is done joins at the next step; one
/// that finishes leaves at once. So a long prompt delays running streams by at most one chunk per token.
/// Each sequence keeps its own sampler, stop conditions, grammar state (constrained outputs: its own mask per row) and
/// reader; the reader's pace never slows the batch.
/// The cache is laid out as the model's graph reads it (<see cref="KvCacheFormat"/>: Optimum's concatenated past,
/// onnxruntime-genai's shared buffer written in place); the model's <see cref="DecoderStep"/> and
/// <see cref="KvCacheRebuilder"/> hold what differs, so this class does not ask which it is.
/// Optimum models without position_ids cannot mix lengths in one run and decode each sequence alone (as with
/// IterationBatching off, where each sequence runs its own step, in parallel).
/// </summary>
public sealed class GenerationScheduler : IAsyncDisposable
{
    private readonly GeneratorModel _model;
    private readonly GenerationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly CancellationTokenRegistration _onStopping;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private readonly List<GenerationSequence> _waiting = [];
    private readonly List<GenerationSequence> _prefilling = [];
    private readonly List<GenerationSequence> _admitted = [];
    private readonly List<DecodeGroup> _groups = [];
    private readonly RunOptions _stepRun = new();
    private readonly DecoderStep _prefillStep;
    private readonly int _rowsPerGroup;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _accepting = true;
    private int _inSystem;
    private long _slots;

    public GenerationScheduler(GeneratorModel model, SchedulerSettings settings, GenerationMetrics metrics, CancellationToken stopping, ILogger logger)
    {
        _model = model;
        Settings = settings;
        _metrics = metrics;
        _logger = logger;
        _stopping = stopping;
        // Rows of different lengths need their own positions to share a run: position_ids, or a shared buffer's seqlens_k.
        _rowsPerGroup = settings.IterationBatching && model.Layout.BatchesRowsOfDifferentLengths ? settings.MaxConcurrentSequences : 1;
        _prefillStep = model.CreateStep();
        _onStopping = stopping.Register(() =>
        {
            _stepRun.Terminate = true;
            Wake();
        });
        _thread = new Thread(Run) { IsBackground = true, Name = $"generation {model.Name}/{model.VersionText}" };
        _thread.Start();
        metrics.Track(this);
    }

    public SchedulerSettings Settings { get; }

    public GeneratorModel Model => _model;

    /// <summary>Sequences in one ONNX Runtime run at most.</summary>
    public int RowsPerStep => _rowsPerGroup;

    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>KV cache positions held now, padding included.</summary>
    public long KvSlots => Interlocked.Read(ref _slots);

    /// <summary>
    /// Queues a sequence. Beyond max_concurrent_sequences running plus max_waiting_requests waiting it is
    /// RESOURCE_EXHAUSTED at once, as is one that could never fit the KV budget.
    /// </summary>
    public GenerationSequence Submit(IReadOnlyList<int> prompt, SamplingParameters parameters, string? cacheSalt = null,
        Constraints.TokenMasks? constraint = null) => Submit(prompt, parameters, 1, cacheSalt, constraint)[0];

    /// <summary>
    /// Queues the <paramref name="choices"/> sequences of one request (OpenAI's n): they are admitted together, the
    /// prompt is prefilled once and each choice starts from a copy of its KV cache, sampling with
    /// <see cref="SamplingParameters.ForChoice"/>. Limits as for one sequence, counting every choice.
    /// </summary>
    public IReadOnlyList<GenerationSequence> Submit(IReadOnlyList<int> prompt, SamplingParameters parameters, int choices,
        string? cacheSalt = null, Constraints.TokenMasks? constraint = null)
    {
        var arrival = Stopwatch.GetTimestamp();
        var family = Enumerable.Range(0, choices)
            .Select(i => new GenerationSequence(prompt, parameters.ForChoice(i), _model.VocabularySize, arrival, Wake, cacheSalt, constraint)).ToList();
        var leader = family[0];
        leader.Followers.AddRange(family.Skip(1));
        if (choices > Settings.MaxConcurrentSequences)
        {
            throw new InferenceException(InferenceErrorReason.InvalidArgument,
                $"n={choices} choices must decode together, but model '{_model.Name}' version {_model.VersionText} runs at most " +
                $"{Settings.MaxConcurrentSequences} sequences at once (generation.max_concurrent_sequences / Generation:MaxConcurrentSequences).");
        }
        var reservation = (long)leader.Reservation * choices;
        if (reservation > Settings.KvCacheTokens)
        {
            throw new InferenceException(InferenceErrorReason.ResourceExhausted,
                $"The prompt ({prompt.Count} tokens) and max_new_tokens ({parameters.MaxNewTokens}) need {leader.Reservation} KV cache positions" +
                (choices > 1 ? $" per choice, {reservation} for n={choices}" : "") + "; " +
                $"model '{_model.Name}' version {_model.VersionText} has {Settings.KvCacheTokens} (generation.kv_cache_tokens, Generation:KvCacheTokens).");
        }
        lock (_gate)
        {
            if (!_accepting)
            {
                throw new InferenceException(InferenceErrorReason.Unavailable,
                    $"Model '{_model.Name}' version {_model.VersionText} is being unloaded; retry.");
            }
            if (_inSystem + choices > Settings.MaxConcurrentSequences + Settings.MaxWaitingRequests)
            {
                throw new InferenceException(InferenceErrorReason.ResourceExhausted,
                    $"Model '{_model.Name}' version {_model.VersionText} is at capacity: {Settings.MaxConcurrentSequences} sequences running and " +
                    $"{Settings.MaxWaitingRequests} waiting (generation.max_concurrent_sequences / Generation:MaxConcurrentSequences, " +
                    "generation.max_waiting_requests / Generation:MaxWaitingRequests). Retry later.");
            }
            _inSystem += choices;
            _waiting.Add(leader);
        }
        _metrics.WaitingChanged(_model.Tags, choices);
        Wake();
        return family;
    }

    private void Wake() => _wake.Release();

    private void Run()
    {
        while (true)
        {
            try
            {
                if (_stopping.IsCancellationRequested)
                {
                    EndAll(FinishReasons.Cancelled);
                }
                DropLeavers();
                Admit();
                var busy = Prefill();
                busy |= Decode();
                Interlocked.Exchange(ref _slots, _groups.Sum(g => (long)g.Slots) + _prefilling.Sum(s => (long)(s.Cache?.Slots ?? 0)));
                if (!busy)
                {
                    lock (_gate)
                    {
                        if (!_accepting && _inSystem == 0)
                        {
                            break;
                        }
                    }
                    _wake.Wait();
                }
            }
            catch (Exception error)
            {
                // Never expected: fail what runs, keep serving new requests.
                _logger.LogError(error, "Generation on {Model}/{Version} failed", _model.Name, _model.VersionText);
                foreach (var sequence in _admitted.ToArray())
                {
                    Fail(sequence, error);
                }
                foreach (var group in _groups)
                {
                    group.Dispose();
                }
                _groups.Clear();
                _prefilling.Clear();
            }
        }
        _stopped.TrySetResult();
    }

    private void DropLeavers()
    {
        List<GenerationSequence>? left = null;
        lock (_gate)
        {
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                // A request's choices wait together; they leave the queue when all of them are asked to.
                if (_waiting[i].Family.All(s => s.Leaving))
                {
                    (left ??= []).AddRange(_waiting[i].Family);
                    _inSystem -= 1 + _waiting[i].Followers.Count;
                    _waiting.RemoveAt(i);
                }
            }
        }
        foreach (var sequence in left ?? [])
        {
            _metrics.WaitingChanged(_model.Tags, -1);
            sequence.Finish(FinishReasons.Cancelled);
        }
        foreach (var sequence in _admitted.Where(s => s.Leaving).ToArray())
        {
            End(sequence, FinishReasons.Cancelled);
        }
    }

    /// <summary>Waiting sequences in arrival order while there is room: running count, then the KV budget.</summary>
    private void Admit()
    {
        List<GenerationSequence>? admitted = null;
        lock (_gate)
        {
            while (_waiting.Count > 0 && _admitted.Count + (admitted?.Count ?? 0) + 1 + _waiting[0].Followers.Count <= Settings.MaxConcurrentSequences
                && Fits(_waiting[0], admitted))
            {
                (admitted ??= []).AddRange(_waiting[0].Family);
                _waiting.RemoveAt(0);
            }
        }
        foreach (var sequence in admitted ?? [])
        {
            _metrics.WaitingChanged(_model.Tags, -1);
            _metrics.Admitted(_model.Tags, Stopwatch.GetElapsedTime(sequence.Arrival));
            _admitted.Add(sequence);
            if (sequence.Followers.Count > 0 || !admitted!.Any(s => s.Followers.Contains(sequence)))
            {
                _prefilling.Add(sequence); // a leader or a lone sequence; followers take the leader's prefill
            }
        }
    }

    /// <summary>
    /// Whether the cache can grow to what the admitted sequences and this one may need: every row of a batch is as
    /// wide as its longest (padding), so a batch of n needs n times the largest prompt plus max_new_tokens.
    /// </summary>
    private bool Fits(GenerationSequence candidate, List<GenerationSequence>? alsoAdmitted)
    {
        var reservations = _admitted.Concat(alsoAdmitted ?? []).Concat(candidate.Family).Select(s => (long)s.Reservation).ToArray();
        var needed = _rowsPerGroup == 1 ? reservations.Sum() : reservations.Length * reservations.Max();
        return needed <= Settings.KvCacheTokens;
    }

    /// <summary>Prompt chunks, in arrival order, up to the chunk budget of one iteration; true when something ran.</summary>
    private bool Prefill()
    {
        var budget = Settings.PrefillChunkTokens;
        var ran = false;
        for (var i = 0; i < _prefilling.Count && budget > 0;)
        {
            var sequence = _prefilling[i];
            if (sequence.Leaving)
            {
                i++;
                continue;
            }
            int chunk;
            try
            {
                sequence.Cache ??= StartingCache(sequence);
                chunk = Math.Min(sequence.Prompt.Count - sequence.Prefilled, budget);
                sequence.Cache = _prefillStep.Run(sequence.Cache, sequence.PromptIds.AsSpan(sequence.Prefilled, chunk), chunk, sequence.PrefillRun);
            }
            catch (OnnxRuntimeException) when (sequence.Leaving || _stopping.IsCancellationRequested)
            {
                i++; // aborted through RunOptions.Terminate; it leaves at the next iteration
                continue;
            }
            catch (Exception error)
            {
                _logger.LogError(error, "Prefill on {Model}/{Version} failed", _model.Name, _model.VersionText);
                Fail(sequence, error);
                continue;
            }
            ran = true;
            budget -= chunk;
            sequence.Prefilled += chunk;
            _metrics.PrefillChunk(_model.Tags, chunk);
            if (sequence.Prefilled < sequence.Prompt.Count)
            {
                i++;
                continue;
            }
            _prefilling.RemoveAt(i);
            StoreBlocks(sequence);
            _metrics.PromptPrefilled(_model.Tags);
            Started(sequence);
        }
        return ran;
    }

    /// <summary>
    /// A prompt is prefilled: every choice of the request samples its first token from the prompt's logits with its
    /// own sampler, the followers take a copy of the leader's KV cache, and those that go on join a batch.
    /// </summary>
    private void Started(GenerationSequence leader)
    {
        var family = leader.Family.Where(s => !s.Leaving && s.FinishReason is null).ToList();
        var logits = _prefillStep.Logits(0);
        var first = new (int Token, TokenLogprobs? Logprobs)[family.Count];
        for (var f = 0; f < family.Count; f++)
        {
            first[f].Token = family[f].NextToken(logits, out first[f].Logprobs);
        }
        // Every copy is made before any token is delivered: a leader whose first token ends it frees its cache.
        var copied = new bool[family.Count];
        for (var f = 0; f < family.Count; f++)
        {
            if (ReferenceEquals(family[f], leader))
            {
                copied[f] = true;
                continue;
            }
            try
            {
                family[f].Cache = _model.CacheRebuilder.Gather([(leader.Cache!, 0)], family[f].Capacity);
                copied[f] = true;
            }
            catch (Exception error)
            {
                _logger.LogError(error, "Copying the prompt's KV cache on {Model}/{Version} failed", _model.Name, _model.VersionText);
                Fail(family[f], error);
            }
        }
        var now = Stopwatch.GetTimestamp();
        for (var f = 0; f < family.Count; f++)
        {
            var sequence = family[f];
            if (!copied[f])
            {
                continue;
            }
            if (sequence.Deliver(first[f].Token, first[f].Logprobs, now, _model.Defaults.EosTokenIds))
            {
                Ended(sequence);
                continue;
            }
            var group = _groups.FirstOrDefault(g => g.Count < _rowsPerGroup);
            if (group is null)
            {
                group = new DecodeGroup(_model.CreateStep(), _model.CacheRebuilder);
                _groups.Add(group);
            }
            group.Join(sequence);
        }
        if (leader.FinishReason is not null || leader.Leaving)
        {
            // Copied from, not joined: its own cache goes now (Finish freed it if it ended here).
            leader.Cache?.Dispose();
            leader.Cache = null;
        }
    }

    /// <summary>
    /// A sequence's cache before its first prefill run: the longest prefix of its prompt the prefix cache holds
    /// (those tokens count as prefilled), else empty.
    /// </summary>
    private KvCache StartingCache(GenerationSequence sequence)
    {
        if (_model.PrefixCache is not { } prefix)
        {
            return _model.CacheRebuilder.Create(sequence.Capacity);
        }
        var match = sequence.Prefix = prefix.Match(sequence.Prompt, sequence.CacheSalt);
        if (match.CachedTokens == 0)
        {
            return _model.CacheRebuilder.Create(sequence.Capacity);
        }
        // Blocks are built as a one-row Optimum cache; a shared-buffer layout places them in its max-length buffer.
        var cache = prefix.Build(match);
        if (_model.Layout.Format == KvCacheFormat.SharedBuffer)
        {
            using var built = cache;
            cache = _model.CacheRebuilder.Seed(built.Values, match.CachedTokens, sequence.Capacity);
        }
        sequence.Prefilled = sequence.CachedTokens = match.CachedTokens;
        return cache;
    }

    /// <summary>After a prompt's prefill: its full blocks go to the prefix cache. A failure there costs only the caching.</summary>
    private void StoreBlocks(GenerationSequence sequence)
    {
        if (_model.PrefixCache is not { } prefix || sequence.Prefix is not { } match || sequence.Cache is not { } cache)
        {
            return;
        }
        try
        {
            prefix.Store(match, sequence.Prompt, cache);
        }
        catch (Exception error)
        {
            _logger.LogWarning(error, "Storing prompt blocks in the prefix cache of {Model}/{Version} failed", _model.Name, _model.VersionText);
        }
    }

    /// <summary>One decoder step for every running sequence: one run per batch (batches run in parallel); true when one ran.</summary>
    private bool Decode()
    {
        var active = new List<DecodeGroup>(_groups.Count);
        for (var g = _groups.Count - 1; g >= 0; g--)
        {
            if (_groups[g].Prepare())
            {
                active.Add(_groups[g]);
            }
            else if (_groups.Count > 1)
            {
                _groups[g].Dispose();
                _groups.RemoveAt(g);
            }
        }
        if (active.Count == 0)
        {
            return false;
        }
        var ended = new List<GenerationSequence>[active.Count];
        if (active.Count == 1)
        {
            ended[0] = Step(active[0]);
        }
        else
        {
            Parallel.For(0, active.Count, g => ended[g] = Step(active[g]));
        }
        foreach (var sequence in ended.SelectMany(e => e))
        {
            Ended(sequence);
        }
        return true;
    }

    /// <summary>Runs one batch, samples every row with its own sampler and hands out the tokens; returns the rows that ended.</summary>
    private List<GenerationSequence> Step(DecodeGroup group)
    {
        var ended = new List<GenerationSequence>();
        var rows = group.Rows;
        try
        {
            group.Step(_stepRun);
        }
        catch (Exception error)
        {
            if (!(error is OnnxRuntimeException && _stopping.IsCancellationRequested))
            {
                _logger.LogError(error, "Decoder step on {Model}/{Version} failed for {Rows} sequences", _model.Name, _model.VersionText, rows.Count);
            }
            foreach (var sequence in rows)
            {
                if (_stopping.IsCancellationRequested) sequence.Finish(FinishReasons.Cancelled);
                else sequence.Fail(new InferenceException(InferenceErrorReason.Internal, $"Generation on model '{_model.Name}' failed: {error.Message}"));
                ended.Add(sequence);
            }
            return ended;
        }
        _metrics.BatchStep(_model.Tags, rows.Count);
        var now = Stopwatch.GetTimestamp();
        for (var r = 0; r < rows.Count; r++)
        {
            var sequence = rows[r];
            if (sequence.Leaving)
            {
                continue; // its token is not wanted any more; it leaves before the next step
            }
            var token = sequence.NextToken(group.Logits(r), out var logprobs);
            if (sequence.Deliver(token, logprobs, now, _model.Defaults.EosTokenIds))
            {
                ended.Add(sequence);
            }
        }
        return ended;
    }

    /// <summary>An admitted sequence leaves: it ends with <paramref name="reason"/> (unless it already ended) and frees its place.</summary>
    private void End(GenerationSequence sequence, string reason)
    {
        sequence.Finish(reason);
        Ended(sequence);
    }

    private void Fail(GenerationSequence sequence, Exception error)
    {
        sequence.Fail(error is InferenceException ? error : new InferenceException(InferenceErrorReason.Internal,
            $"Generation on model '{_model.Name}' failed: {error.Message}"));
        Ended(sequence);
    }

    private void Ended(GenerationSequence sequence)
    {
        if (!_admitted.Remove(sequence))
        {
            return;
        }
        if (sequence.Followers.Count > 0 && _prefilling.Contains(sequence))
        {
            // A leader gone before its prompt was prefilled: its followers have no cache to start from.
            foreach (var follower in sequence.Followers)
            {
                End(follower, FinishReasons.Cancelled);
            }
        }
        _prefilling.Remove(sequence);
        _metrics.RunningChanged(_model.Tags, -1);
        lock (_gate)
        {
            _inSystem--;
        }
    }

    private void EndAll(string reason)
    {
        lock (_gate)
        {
            foreach (var sequence in _waiting.SelectMany(s => s.Family))
            {
                sequence.Leave();
            }
        }
        foreach (var sequence in _admitted.ToArray())
        {
            End(sequence, reason);
        }
    }

    /// <summary>Stops taking sequences, lets the queued and running ones finish, then frees the batches.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _accepting = false;
        }
        Wake();
        await _stopped.Task;
        _metrics.Untrack(this);
        foreach (var group in _groups)
        {
            group.Dispose();
        }
        _groups.Clear();
        _prefillStep.Dispose();
        await _onStopping.DisposeAsync();
        _stepRun.Dispose();
        // _wake stays: a reader may still ask a finished sequence to leave (it has no wait handle to free).
    }
}
