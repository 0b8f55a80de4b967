using MlStack.Inference.Generation;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MlStack.Inference.Errors;
using MlStack.Inference.Generation.Constraints;
using Grpc.Core;
using MlStack.Inference.V1;
using MlStack.Inference.Generation.ToolCalls;

namespace MlStack.Inference.GrpcServices;

/// <summary>The mlstack.inference.v1.TextGeneration gRPC service: messages with the new tokens and text, then the summary.</summary>
public sealed class TextGenerationService(TextGenerator generator, GeneratorCatalog catalog) : TextGeneration.TextGenerationBase
{
    public override Task Generate(GenerateRequest request, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context) =>
        WriteAsync(Stopwatch.GetTimestamp(), generator.StartChoices(new GenerationRequest
        {
            Model = request.Model,
            Version = request.ModelVersion,
            ConversationKey = request.ConversationKey,
            User = request.User,
            Prompt = request.Prompt,
            Parameters = Parameters(request.Parameters),
            CacheSalt = request.CacheSalt,
            Constraint = Constraint(request.ResponseFormat),
        }, context.CancellationToken), responseStream, context);

    public override Task Chat(ChatRequest request, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context)
    {
        var received = Stopwatch.GetTimestamp();
        var chat = new GenerationRequest
        {
            Model = request.Model,
            Version = request.ModelVersion,
            ConversationKey = request.ConversationKey,
            User = request.User,
            Messages = [.. request.Messages.Select(ToTurn)],
            Parameters = Parameters(request.Parameters),
            CacheSalt = request.CacheSalt,
            Tools = request.Tools.Count > 0 ? [.. request.Tools.Select(ToTool)] : null,
            ToolChoice = ToChoice(request.ToolChoice),
            Constraint = Constraint(request.ResponseFormat),
        };
        var choices = generator.StartChoices(chat, context.CancellationToken);
        return WriteAsync(received, choices, responseStream, context, [.. choices.Streams.Select(stream => ToolCallReader.For(stream.Model, chat))]);
    }

    private static ChatTurn ToTurn(V1.ChatMessage m) => new(m.Role, m.Content)
    {
        ToolCalls = m.ToolCalls.Count > 0 ? [.. m.ToolCalls.Select(c => new Generation.ToolCalls.ToolCall(c.Id, c.Name, c.Arguments))] : null,
        ToolCallId = m.ToolCallId.Length > 0 ? m.ToolCallId : null,
        Name = m.Name.Length > 0 ? m.Name : null,
    };

    private static JsonElement ParseObject(string json, string field)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone()
                : throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} must be a JSON object."));
        }
        catch (JsonException error)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is not JSON: {error.Message}"));
        }
    }

    private static ToolDefinition ToTool(Tool tool)
    {
        JsonElement? parameters = tool.ParametersJson.Length > 0 ? ParseObject(tool.ParametersJson, $"The parameters_json of tool '{tool.Name}'") : null;
        return new ToolDefinition(tool.Name, tool.Description.Length > 0 ? tool.Description : null, parameters);
    }

    private static Generation.ToolCalls.ToolChoice ToChoice(V1.ToolChoice? choice) => choice?.Mode switch
    {
        null or V1.ToolChoice.Types.Mode.ToolChoiceAuto => Generation.ToolCalls.ToolChoice.Auto,
        V1.ToolChoice.Types.Mode.ToolChoiceNone => Generation.ToolCalls.ToolChoice.None,
        V1.ToolChoice.Types.Mode.ToolChoiceRequired => Generation.ToolCalls.ToolChoice.Required,
        V1.ToolChoice.Types.Mode.ToolChoiceFunction => new Generation.ToolCalls.ToolChoice(ToolChoiceMode.Named, choice.FunctionName),
        var other => throw new RpcException(new Status(StatusCode.InvalidArgument, $"tool_choice.mode {other} is not known.")),
    };

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        response.Models.AddRange(catalog.Loaded().Select(m => new GeneratorModelInfo
        {
            Name = m.Name,
            Version = m.VersionText,
            ContextLength = m.ContextLength,
            HasChatTemplate = m.ChatTemplates is not null,
            ExecutionProvider = m.Provider.ToString(),
            Description = m.Description,
            ToolCallParser = m.ToolCalls?.Name ?? "",
        }));
        return Task.FromResult(response);
    }

    /// <summary>response_format as the engine's constraint; an unknown type or a schema that is not JSON is INVALID_ARGUMENT.</summary>
    private static OutputConstraint? Constraint(ResponseFormat? format)
    {
        switch (format?.Type)
        {
            case null or "" or "text":
                if (!string.IsNullOrEmpty(format?.JsonSchema))
                {
                    throw InferenceException.Invalid("response_format.json_schema is set but response_format.type is not \"json_schema\".");
                }
                return null;
            case "json_object":
                return new OutputConstraint();
            case "json_schema":
                if (string.IsNullOrWhiteSpace(format.JsonSchema))
                {
                    throw InferenceException.Invalid("response_format.type is \"json_schema\" but response_format.json_schema is empty.");
                }
                try
                {
                    using var schema = JsonDocument.Parse(format.JsonSchema);
                    return new OutputConstraint { Schema = schema.RootElement.Clone(), Strict = format.Strict };
                }
                catch (JsonException error)
                {
                    throw InferenceException.Invalid($"response_format.json_schema is not JSON: {error.Message}");
                }
            default:
                throw InferenceException.Invalid($"response_format.type is '{Repository.ServingErrors.Shorten(format.Type)}'; expected text, json_object or json_schema.");
        }
    }

    private static RequestedParameters Parameters(GenerationParameters? p) => p is null ? new() : new()
    {
        MaxNewTokens = p.HasMaxNewTokens ? p.MaxNewTokens : null,
        Temperature = p.HasTemperature ? p.Temperature : null,
        TopP = p.HasTopP ? p.TopP : null,
        TopK = p.HasTopK ? p.TopK : null,
        RepetitionPenalty = p.HasRepetitionPenalty ? p.RepetitionPenalty : null,
        Seed = p.HasSeed ? p.Seed : null,
        Stop = [.. p.Stop],
        IgnoreEos = p.IgnoreEos,
        PresencePenalty = p.HasPresencePenalty ? p.PresencePenalty : null,
        FrequencyPenalty = p.HasFrequencyPenalty ? p.FrequencyPenalty : null,
        LogitBias = p.LogitBias.Count > 0 ? p.LogitBias.ToDictionary(e => e.Key, e => e.Value) : null,
        Choices = p.HasN ? p.N : null,
        Logprobs = p.Logprobs,
        TopLogprobs = p.HasTopLogprobs ? p.TopLogprobs : null,
    };

    /// <summary>
    /// Decoding runs in the model's scheduler and never waits for the network: the first text goes out alone, at once,
    /// and after it whatever has accumulated while a message was being written goes out as the next message (one token
    /// per message while the writer keeps up). So an answer of more than one piece of text always streams as more
    /// than one message, however fast the server decodes. With n &gt; 1 each wake-up sends one message per choice that
    /// has something, in index order.
    /// </summary>
    /// <param name="tools">Per choice, reads a Chat with tools for calls: its text streams as the reader releases it, the calls come on the last message.</param>
    private static async Task WriteAsync(long received, GenerationChoices choices, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context,
        ToolCallReader?[]? tools = null)
    {
        using (choices)
        {
            try
            {
                var n = choices.Streams.Count;
                TimeSpan? firstMessage = null;
                var textSent = new bool[n];
                var texts = Enumerable.Range(0, n).Select(_ => new StringBuilder()).ToArray();
                var messages = new GenerateResponse?[n];
                while (await choices.WaitToReadAsync())
                {
                    while (choices.TryRead(out var index, out var step))
                    {
                        var message = messages[index] ??= new GenerateResponse { Index = index };
                        texts[index].Append(tools?[index] is { } reader ? reader.Append(step) : step.Text);
                        if (step.TokenId is { } id)
                        {
                            message.TokenIds.Add(id);
                        }
                        if (step.Logprobs is { } logprobs)
                        {
                            message.Logprobs.Add(ToLogprob(choices.Model.Tokenizer, logprobs));
                        }
                        if (step.Result is { } result)
                        {
                            message.Summary = ToSummary(choices.Model, result);
                            if (tools?[index]?.Finish() is { } answer)
                            {
                                texts[index].Append(answer.Content);
                                message.ToolCalls.AddRange(answer.Calls.Select(c => new V1.ToolCall { Id = c.Id, Name = c.Name, Arguments = c.Arguments }));
                                if (answer.Calls.Count > 0) message.Summary.FinishReason = FinishReason.ToolCalls;
                            }
                        }
                        if (n == 1 && !textSent[index] && texts[index].Length > 0) break;
                    }
                    for (var i = 0; i < n; i++)
                    {
                        if (messages[i] is not { } message)
                        {
                            continue;
                        }
                        messages[i] = null;
                        textSent[i] |= texts[i].Length > 0;
                        message.Text = texts[i].ToString();
                        texts[i].Clear();
                        firstMessage ??= Stopwatch.GetElapsedTime(received);
                        if (message.Summary is { } summary)
                        {
                            summary.TimeToFirstMessageMs = firstMessage.Value.TotalMilliseconds;
                        }
                        await responseStream.WriteAsync(message, context.CancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                // The client went away or its deadline passed: the sequences left their batch.
                var deadlinePassed = context.Deadline <= DateTime.UtcNow;
                throw new RpcException(new Status(deadlinePassed ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
                    deadlinePassed ? "The deadline passed during generation." : "The call was cancelled during generation."));
            }
        }
    }

    private static V1.TokenLogprob ToLogprob(ModelTokenizer tokenizer, TokenLogprobs logprobs)
    {
        var entry = new V1.TokenLogprob { TokenId = logprobs.Token, Token = TokenSpelling.Text(tokenizer, logprobs.Token), Logprob = logprobs.Logprob };
        entry.TopLogprobs.AddRange(logprobs.Top.Select(t => new V1.TokenLogprob { TokenId = t.Token, Token = TokenSpelling.Text(tokenizer, t.Token), Logprob = t.Logprob }));
        return entry;
    }

    private static GenerationSummary ToSummary(GeneratorModel model, GenerationResult result) => new()
    {
        FinishReason = result.FinishReason switch
        {
            FinishReasons.Stop => FinishReason.Stop,
            FinishReasons.Length => FinishReason.Length,
            _ => FinishReason.Cancelled,
        },
        Usage = new Usage { PromptTokens = result.PromptTokens, CompletionTokens = result.CompletionTokens, CachedPromptTokens = result.CachedPromptTokens },
        Model = model.Name,
        ModelVersion = model.VersionText,
        TimeToFirstTokenMs = result.TimeToFirstToken.TotalMilliseconds,
        TokensPerSecond = result.TokensPerSecond,
        TotalTimeMs = result.Total.TotalMilliseconds,
        StopSequence = result.StopSequence ?? string.Empty,
        Seed = result.Seed,
    };
}
