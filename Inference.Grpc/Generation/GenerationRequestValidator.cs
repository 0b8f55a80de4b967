using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Generation;

/// <summary>
/// Turns a request's parameters into <see cref="SamplingParameters"/>: unset fields take the model's
/// generation_config.json, then the service defaults; absurd values are INVALID_ARGUMENT naming the field,
/// the value and the accepted range.
/// </summary>
public sealed class GenerationRequestValidator(IOptions<GenerationOptions> options)
{
    public static readonly IReadOnlySet<string> Roles = new HashSet<string>(StringComparer.Ordinal) { "system", "user", "assistant", "tool" };

    public SamplingParameters Resolve(GeneratorModel model, RequestedParameters p, int promptTokens)
    {
        var defaults = model.Defaults;
        var context = model.ContextLength;
        if (promptTokens >= context)
        {
            throw Invalid($"The prompt has {promptTokens} tokens; model '{model.Name}' has a context of {context} tokens, which leaves no room to generate.");
        }
        var room = context - promptTokens;

        int maxNewTokens;
        if (p.MaxNewTokens is { } requested)
        {
            if (requested < 1)
            {
                throw Invalid($"max_new_tokens must be at least 1 (got {requested}).");
            }
            if (requested > room)
            {
                throw Invalid($"max_new_tokens={requested} plus the prompt's {promptTokens} tokens exceed the context of {context} tokens of model '{model.Name}': at most {room} new tokens fit.");
            }
            maxNewTokens = requested;
        }
        else
        {
            maxNewTokens = Math.Min(defaults.MaxNewTokens ?? options.Value.DefaultMaxNewTokens, room);
        }

        var temperature = p.Temperature ?? (defaults.DoSample ? defaults.Temperature : 0f);
        if (!float.IsFinite(temperature) || temperature < 0)
        {
            throw Invalid($"temperature must be a finite number >= 0, 0 meaning greedy decoding (got {temperature}).");
        }
        var topP = p.TopP ?? defaults.TopP;
        if (!(topP > 0f && topP <= 1f))
        {
            throw Invalid($"top_p must be in (0, 1] (got {topP}).");
        }
        var topK = p.TopK ?? defaults.TopK;
        if (topK < 0)
        {
            throw Invalid($"top_k must be >= 0, 0 meaning no limit (got {topK}).");
        }
        var penalty = p.RepetitionPenalty ?? defaults.RepetitionPenalty;
        if (!(penalty >= SamplingParameters.MinRepetitionPenalty && penalty <= SamplingParameters.MaxRepetitionPenalty))
        {
            throw Invalid($"repetition_penalty must be in [{SamplingParameters.MinRepetitionPenalty}, {SamplingParameters.MaxRepetitionPenalty}], 1 meaning none (got {penalty}).");
        }

        var limits = options.Value;
        if (p.Stop.Count > limits.MaxStopSequences)
        {
            throw Invalid($"At most {limits.MaxStopSequences} stop sequences are allowed (got {p.Stop.Count}).");
        }
        for (var i = 0; i < p.Stop.Count; i++)
        {
            if (p.Stop[i].Length == 0)
            {
                throw Invalid($"stop[{i}] is empty; stop sequences must have at least one character.");
            }
            if (p.Stop[i].Length > limits.MaxStopSequenceLength)
            {
                throw Invalid($"stop[{i}] has {p.Stop[i].Length} characters; at most {limits.MaxStopSequenceLength} are allowed.");
            }
        }

        var presence = AdditivePenalty(p.PresencePenalty, "presence_penalty");
        var frequency = AdditivePenalty(p.FrequencyPenalty, "frequency_penalty");
        var bias = LogitBias(model, p.LogitBias);
        int? topLogprobs = null;
        if (p.TopLogprobs is { } top && (top < 0 || top > SamplingParameters.MaxTopLogprobs))
        {
            throw Invalid($"top_logprobs must be in [0, {SamplingParameters.MaxTopLogprobs}] (got {top}).");
        }
        if (p.Logprobs)
        {
            topLogprobs = p.TopLogprobs ?? 0;
        }
        else if (p.TopLogprobs is { } alone && alone > 0)
        {
            throw Invalid("top_logprobs needs logprobs set to true.");
        }

        var seed = p.Seed ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        return new SamplingParameters(maxNewTokens, temperature, topP, topK, penalty, seed, [.. p.Stop], p.IgnoreEos)
        {
            PresencePenalty = presence,
            FrequencyPenalty = frequency,
            LogitBias = bias,
            TopLogprobs = topLogprobs,
        };
    }

    /// <summary>n at most; each choice is a sequence of its own in the batch (and needs its KV cache rows).</summary>
    public const int MaxChoices = 128;

    /// <summary>The request's n, checked: 1..<see cref="MaxChoices"/>.</summary>
    public static int Choices(RequestedParameters p)
    {
        var n = p.Choices ?? 1;
        if (n < 1 || n > MaxChoices)
        {
            throw Invalid($"n must be in [1, {MaxChoices}] (got {n}).");
        }
        return n;
    }

    private static float AdditivePenalty(float? value, string name)
    {
        var penalty = value ?? 0f;
        if (!(penalty >= -SamplingParameters.MaxAdditivePenalty && penalty <= SamplingParameters.MaxAdditivePenalty))
        {
            throw Invalid($"{name} must be in [-{SamplingParameters.MaxAdditivePenalty}, {SamplingParameters.MaxAdditivePenalty}], 0 meaning none (got {penalty}).");
        }
        return penalty;
    }

    private static IReadOnlyDictionary<int, float> LogitBias(GeneratorModel model, IReadOnlyDictionary<int, float>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            return new Dictionary<int, float>();
        }
        foreach (var (id, bias) in requested)
        {
            if (id < 0 || id >= model.VocabularySize)
            {
                throw Invalid($"logit_bias names token {id}, which is not in the vocabulary of model '{model.Name}' (ids 0..{model.VocabularySize - 1}).");
            }
            if (!(bias >= -SamplingParameters.MaxLogitBias && bias <= SamplingParameters.MaxLogitBias))
            {
                throw Invalid($"logit_bias[{id}] must be in [-{SamplingParameters.MaxLogitBias}, {SamplingParameters.MaxLogitBias}] (got {bias}).");
            }
        }
        return new Dictionary<int, float>(requested);
    }

    public static void ValidateMessages(IReadOnlyList<ChatTurn> messages)
    {
        if (messages.Count == 0)
        {
            throw Invalid("messages must not be empty.");
        }
        for (var i = 0; i < messages.Count; i++)
        {
            if (!Roles.Contains(messages[i].Role))
            {
                throw Invalid($"messages[{i}].role is '{Repository.ServingErrors.Shorten(messages[i].Role)}'; expected one of system, user, assistant, tool.");
            }
        }
    }

    internal static InferenceException Invalid(string message) => InferenceException.Invalid(message);

    /// <summary>Longest cache_salt accepted, in characters: a tenant or user id, not a payload.</summary>
    public const int MaxCacheSaltLength = 256;

    /// <summary>The request's cache_salt: null or empty is no salt; longer than <see cref="MaxCacheSaltLength"/> is refused.</summary>
    public string? CacheSalt(string? salt)
    {
        if (string.IsNullOrEmpty(salt))
        {
            return null;
        }
        if (salt.Length > MaxCacheSaltLength)
        {
            throw Invalid($"cache_salt has {salt.Length} characters; at most {MaxCacheSaltLength} are accepted.");
        }
        return salt;
    }
}
