using System.Text.Json;
using MlStack.Inference.Generation;
using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.HttpDoors.OpenAI;

/// <summary>A chat or text completion request as the OpenAI door read it: what to generate and how to answer.</summary>
public sealed record OpenAIGenerationCall(ModelReference Model, GenerationRequest Request, bool Stream, bool IncludeUsage)
{
    /// <summary>Whether the answer carries logprobs (an object per choice; null without).</summary>
    public bool Logprobs => Request.Parameters.Logprobs;
}

/// <summary>An embeddings request as the OpenAI door read it.</summary>
public sealed record OpenAIEmbeddingCall(ModelReference Model, IReadOnlyList<string> Input, bool Base64, int? Dimensions);

/// <summary>
/// OpenAI's request bodies (chat completions, completions, embeddings) to the shared entry points' requests. Fields
/// this server cannot honour (audio, predicted outputs, web search, best_of other than n, ...) are refused with a 400
/// naming them rather than ignored; user is accepted and kept on the trace (and picks the version as the conversation key).
/// </summary>
public static class OpenAIRequestReader
{
    public static OpenAIGenerationCall ReadChat(JsonElement body)
    {
        JsonFields.RequireObject(body);
        RefuseUnsupported(body);
        if (body.Get("messages") is not { ValueKind: JsonValueKind.Array } messages)
        {
            throw HttpDoorException.BadRequest("'messages' is required: an array of {role, content}.", "messages");
        }
        var turns = messages.EnumerateArray().Select(ReadMessage).ToList();
        var tools = OpenAIToolReader.ReadTools(body);
        // Chat: logprobs is true or false, top_logprobs the alternatives per token.
        var call = Call(body, new GenerationRequest { Messages = turns, Tools = tools, ToolChoice = OpenAIToolReader.ReadToolChoice(body, tools) });
        var top = body.Integer("top_logprobs");
        return call with
        {
            Request = call.Request with
            {
                Parameters = call.Request.Parameters with
                {
                    Logprobs = body.Boolean("logprobs") ?? false,
                    TopLogprobs = top is { } t ? (int)Math.Clamp(t, -1, int.MaxValue) : null,
                },
            },
        };
    }

    public static OpenAIGenerationCall ReadCompletion(JsonElement body)
    {
        JsonFields.RequireObject(body);
        RefuseUnsupported(body);
        if (body.GetAny("tools", "tool_choice", "functions") is { } tools)
        {
            throw HttpDoorException.BadRequest($"'{tools.Name}' is for chat completions; a completion continues a raw prompt.", tools.Name);
        }
        var prompts = body.StringOrStrings("prompt") ?? throw HttpDoorException.BadRequest("'prompt' is required.", "prompt");
        if (prompts.Count != 1)
        {
            throw HttpDoorException.BadRequest($"'prompt' has {prompts.Count} prompts; this server takes one per request.", "prompt");
        }
        if (body.Get("suffix") is not null || body.Boolean("echo") == true)
        {
            throw HttpDoorException.BadRequest("'suffix' and 'echo' are not supported.", body.Get("suffix") is not null ? "suffix" : "echo");
        }
        if (body.Get("top_logprobs") is not null)
        {
            throw HttpDoorException.BadRequest("'top_logprobs' is a chat completions field; on completions 'logprobs' is the number of alternatives (0..20).", "top_logprobs");
        }
        var call = Call(body, new GenerationRequest { Prompt = prompts[0] });
        if (body.Integer("best_of") is { } bestOf && bestOf != (call.Request.Parameters.Choices ?? 1))
        {
            throw HttpDoorException.BadRequest($"'best_of' is {bestOf}; this server returns every choice it generates (best_of equal to n).", "best_of");
        }
        // Completions: logprobs is the number of alternatives per token (0: the chosen token's logprob only).
        var logprobs = body.Integer("logprobs");
        return call with
        {
            Request = call.Request with
            {
                Parameters = call.Request.Parameters with
                {
                    Logprobs = logprobs is not null,
                    TopLogprobs = logprobs is { } l ? (int)Math.Clamp(l, -1, int.MaxValue) : null,
                },
            },
        };
    }

    public static OpenAIEmbeddingCall ReadEmbeddings(JsonElement body)
    {
        JsonFields.RequireObject(body);
        var input = body.StringOrStrings("input")
            ?? throw HttpDoorException.BadRequest("'input' is required: a string or an array of strings.", "input");
        var format = body.String("encoding_format") ?? "float";
        if (format is not ("float" or "base64"))
        {
            throw HttpDoorException.BadRequest($"'encoding_format' is '{format}'; use float or base64.", "encoding_format");
        }
        var dimensions = body.Integer("dimensions");
        return new OpenAIEmbeddingCall(ModelReference.Parse(body.String("model")), input, format == "base64",
            dimensions is { } d ? (int)Math.Clamp(d, 0, int.MaxValue) : null);
    }

    private static OpenAIGenerationCall Call(JsonElement body, GenerationRequest request)
    {
        var model = ModelReference.Parse(body.String("model"));
        var stream = body.Boolean("stream") ?? false;
        var includeUsage = body.Get("stream_options") is { } options && JsonFields.RequireObject(options, "'stream_options'").Boolean("include_usage") == true;
        return new OpenAIGenerationCall(model, request with
        {
            Model = model.Name,
            Version = model.Version,
            ConversationKey = body.String("user"),
            User = body.String("user"),
            // vLLM's extension: callers with different salts never share prefix-cache blocks.
            CacheSalt = body.String("cache_salt"),
            Parameters = GenerationParameterReader.Read(body) with
            {
                Choices = body.Integer("n") is { } n ? (int)Math.Clamp(n, int.MinValue, int.MaxValue) : null,
            },
            Constraint = ResponseFormatReader.Read(body),
        }, stream, includeUsage);
    }

    private static ChatTurn ReadMessage(JsonElement message)
    {
        JsonFields.RequireObject(message, "Each message");
        var role = message.String("role") ?? throw HttpDoorException.BadRequest("Each message needs a 'role'.", "messages");
        var toolCalls = OpenAIToolReader.ReadToolCalls(message);
        if (toolCalls is not null && role != "assistant")
        {
            throw HttpDoorException.BadRequest($"Only assistant messages carry 'tool_calls'; this one's role is '{role}'.", "messages");
        }
        var toolCallId = message.String("tool_call_id");
        if (role == "tool" && string.IsNullOrEmpty(toolCallId))
        {
            throw HttpDoorException.BadRequest("A message of role 'tool' needs the 'tool_call_id' of the call it answers.", "messages");
        }
        // OpenAI's newer name for the system role.
        return new ChatTurn(role == "developer" ? "system" : role, ReadContent(message.Get("content")))
        {
            ToolCalls = toolCalls,
            ToolCallId = toolCallId,
            Name = message.String("name"),
        };
    }

    /// <summary>A string, or an array of content parts of which only text parts are supported.</summary>
    private static string ReadContent(JsonElement? content) => content switch
    {
        null => "",
        { ValueKind: JsonValueKind.String } text => text.GetString()!,
        { ValueKind: JsonValueKind.Array } parts => string.Concat(parts.EnumerateArray().Select(part =>
            part.String("type") == "text" ? part.String("text") ?? ""
                : throw HttpDoorException.BadRequest($"Content parts of type '{part.String("type")}' are not supported; send text.", "messages"))),
        _ => throw JsonFields.WrongType("content", "a string or an array of content parts"),
    };

    /// <summary>OpenAI fields that ask for something this server does not do: a 400 naming them, never a silent ignore.</summary>
    private static readonly string[] Unsupported = ["audio", "prediction", "web_search_options"];

    private static void RefuseUnsupported(JsonElement body)
    {
        foreach (var name in Unsupported)
        {
            if (body.Get(name) is not null)
            {
                throw HttpDoorException.BadRequest($"'{name}' is not supported by this server.", name);
            }
        }
        if (body.Get("modalities") is { ValueKind: JsonValueKind.Array } modalities
            && modalities.EnumerateArray().Any(m => m.ValueKind != JsonValueKind.String || m.GetString() != "text"))
        {
            throw HttpDoorException.BadRequest("'modalities' may only ask for text.", "modalities");
        }
        if (body.Boolean("store") == true)
        {
            throw HttpDoorException.BadRequest("'store' is not supported: this server keeps no completions.", "store");
        }
    }
}
