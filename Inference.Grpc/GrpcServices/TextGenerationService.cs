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
        WriteAsync(Stopwatch.GetTimestamp(), generator.Start(new GenerationRequest
        {
            Model = request.Model,
            Version = request.ModelVersion,
            ConversationKey = request.ConversationKey,
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
            Messages = [.. request.Messages.Select(ToTurn)],
            Parameters = Parameters(request.Parameters),
            CacheSalt = request.CacheSalt,
            Tools = request.Tools.Count > 0 ? [.. request.Tools.Select(ToTool)] : null,
            ToolChoice = ToChoice(request.ToolChoice),
            Constraint = Constraint(request.ResponseFormat),
        };
        var stream = generator.Start(chat, context.CancellationToken);
        return WriteAsync(received, stream, responseStream, context, ToolCallReader.For(stream.Model, chat));
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
    };

    /// <summary>
    /// Decoding runs in the model's scheduler and never waits for the network: the first text goes out alone, at once,
    /// and after it whatever has accumulated while a message was being written goes out as the next message (one token
    /// per message while the writer keeps up). So an answer of more than one piece of text always streams as more
    /// than one message, however fast the server decodes.
    /// </summary>
    /// <param name="tools">Reads a Chat with tools for calls: its text streams as the reader releases it, the calls come on the last message.</param>
    private static async Task WriteAsync(long received, GenerationStream stream, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context,
        ToolCallReader? tools = null)
    {
        using (stream)
        {
            try
            {
                TimeSpan? firstMessage = null;
                var textSent = false;
                var text = new StringBuilder();
                while (await stream.WaitToReadAsync())
                {
                    var message = new GenerateResponse();
                    text.Clear();
                    while (stream.TryRead(out var step))
                    {
                        text.Append(tools is null ? step.Text : tools.Append(step));
                        if (step.TokenId is { } id)
                        {
                            message.TokenIds.Add(id);
                        }
                        if (step.Result is { } result)
                        {
                            message.Summary = ToSummary(stream.Model, result);
                            if (tools?.Finish() is { } answer)
                            {
                                text.Append(answer.Content);
                                message.ToolCalls.AddRange(answer.Calls.Select(c => new V1.ToolCall { Id = c.Id, Name = c.Name, Arguments = c.Arguments }));
                                if (answer.Calls.Count > 0) message.Summary.FinishReason = FinishReason.ToolCalls;
                            }
                        }
                        if (!textSent && text.Length > 0) break;
                    }
                    textSent |= text.Length > 0;
                    message.Text = text.ToString();
                    firstMessage ??= Stopwatch.GetElapsedTime(received);
                    if (message.Summary is { } summary)
                    {
                        summary.TimeToFirstMessageMs = firstMessage.Value.TotalMilliseconds;
                    }
                    await responseStream.WriteAsync(message, context.CancellationToken);
                }
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                // The client went away or its deadline passed: the sequence left its batch.
                var deadlinePassed = context.Deadline <= DateTime.UtcNow;
                throw new RpcException(new Status(deadlinePassed ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
                    deadlinePassed ? "The deadline passed during generation." : "The call was cancelled during generation."));
            }
        }
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
