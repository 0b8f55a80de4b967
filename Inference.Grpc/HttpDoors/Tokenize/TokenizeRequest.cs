using System.Text.Json;
using MlStack.Inference.Generation.ChatTemplates;
using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.HttpDoors.Tokenize;

/// <summary>
/// A POST /tokenize body as vLLM takes it: a "prompt", or "messages" (with "add_generation_prompt" and "tools") that the
/// model's chat template renders; "return_token_strs" asks for the tokens as strings too.
/// </summary>
public sealed record TokenizeRequest(ModelReference Model, string? Prompt, List<object?>? Messages, bool AddGenerationPrompt,
    List<object?>? Tools, bool ReturnTokenStrings)
{
    public static TokenizeRequest Read(JsonElement body)
    {
        JsonFields.RequireObject(body);
        var model = ModelReference.Parse(body.String("model"));
        var returnStrings = body.Boolean("return_token_strs") ?? false;
        if (body.Boolean("continue_final_message") == true)
        {
            throw HttpDoorException.BadRequest("'continue_final_message' is not supported; send the conversation with add_generation_prompt.", "continue_final_message");
        }
        if (body.Get("chat_template") is { ValueKind: not JsonValueKind.Null })
        {
            throw HttpDoorException.BadRequest("'chat_template' is not supported: the model's own template is used.", "chat_template");
        }
        var prompt = body.Get("prompt");
        var messages = body.Get("messages");
        if ((prompt is null) == (messages is null))
        {
            throw HttpDoorException.BadRequest("Give either 'prompt' or 'messages'.", prompt is null ? "prompt" : "messages");
        }
        if (prompt is { } text)
        {
            if (text.ValueKind != JsonValueKind.String) throw JsonFields.WrongType("prompt", "a string");
            return new TokenizeRequest(model, text.GetString(), null, false, null, returnStrings);
        }
        return new TokenizeRequest(model, null, ReadMessages(messages!.Value), body.Boolean("add_generation_prompt") ?? true,
            ReadTools(body.Get("tools")), returnStrings);
    }

    /// <summary>Each message as the template will see it: its fields as sent, content parts joined into text.</summary>
    private static List<object?> ReadMessages(JsonElement messages)
    {
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw HttpDoorException.BadRequest("'messages' must be a non-empty array of messages.", "messages");
        }
        var list = new List<object?>();
        foreach (var message in messages.EnumerateArray())
        {
            JsonFields.RequireObject(message, "Each message");
            if (message.String("role") is null) throw HttpDoorException.BadRequest("Each message needs a 'role' (a string).", "messages");
            var value = (Dictionary<string, object?>)TemplateValues.FromJson(message)!;
            if (message.Get("content") is { ValueKind: JsonValueKind.Array } parts)
            {
                value["content"] = string.Concat(parts.EnumerateArray().Select(part =>
                    part.ValueKind == JsonValueKind.Object && part.String("type") == "text" ? part.String("text") ?? ""
                        : throw HttpDoorException.BadRequest("Only content parts of type 'text' are supported.", "messages")));
            }
            else if (message.Get("content") is { ValueKind: not (JsonValueKind.String or JsonValueKind.Null) })
            {
                throw JsonFields.WrongType("content", "a string or an array of content parts");
            }
            list.Add(value);
        }
        return list;
    }

    private static List<object?>? ReadTools(JsonElement? tools) => tools switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.Object
            ? TemplateValues.FromJson(t) : throw JsonFields.WrongType("tools", "an array of tool objects")).ToList(),
        _ => throw JsonFields.WrongType("tools", "an array of tool objects"),
    };
}

/// <summary>A POST /detokenize body as vLLM takes it: the token ids to turn back into text.</summary>
public sealed record DetokenizeRequest(ModelReference Model, IReadOnlyList<int> Tokens)
{
    public static DetokenizeRequest Read(JsonElement body)
    {
        JsonFields.RequireObject(body);
        if (body.Get("tokens") is not { ValueKind: JsonValueKind.Array } tokens)
        {
            throw HttpDoorException.BadRequest("'tokens' must be an array of token ids.", "tokens");
        }
        var ids = new List<int>(tokens.GetArrayLength());
        foreach (var token in tokens.EnumerateArray())
        {
            if (token.ValueKind != JsonValueKind.Number || !token.TryGetInt32(out var id) || id < 0)
            {
                throw HttpDoorException.BadRequest($"'tokens' holds {token.GetRawText()}; token ids are integers from 0.", "tokens");
            }
            ids.Add(id);
        }
        return new DetokenizeRequest(ModelReference.Parse(body.String("model")), ids);
    }
}
