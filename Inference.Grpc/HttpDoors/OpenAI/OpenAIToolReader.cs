using System.Text.Json;
using MlStack.Inference.Generation.ToolCalls;
using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.HttpDoors.OpenAI;

/// <summary>
/// OpenAI's tool fields: tools, tool_choice and parallel_tool_calls of a chat request, and the tool_calls of assistant
/// messages. Anything malformed is a 400 naming the field; the legacy functions and function_call are refused.
/// </summary>
public static class OpenAIToolReader
{
    public static IReadOnlyList<ToolDefinition>? ReadTools(JsonElement body)
    {
        if (body.GetAny("functions", "function_call") is { } legacy)
        {
            throw HttpDoorException.BadRequest($"'{legacy.Name}' is OpenAI's deprecated form; send 'tools' and 'tool_choice'.", legacy.Name);
        }
        if (body.Get("tools") is not { } tools || tools.ValueKind == JsonValueKind.Null) return null;
        if (tools.ValueKind != JsonValueKind.Array) throw JsonFields.WrongType("tools", "an array of {type: \"function\", function: {...}}");
        return [.. tools.EnumerateArray().Select(ReadTool)];
    }

    private static ToolDefinition ReadTool(JsonElement tool)
    {
        JsonFields.RequireObject(tool, "Each tool");
        if (tool.String("type") != "function")
        {
            throw HttpDoorException.BadRequest($"Tools of type '{tool.String("type")}' are not supported; send type \"function\".", "tools");
        }
        if (tool.Get("function") is not { ValueKind: JsonValueKind.Object } function)
        {
            throw HttpDoorException.BadRequest("Each tool needs a 'function' object: {name, description, parameters}.", "tools");
        }
        var name = function.String("name");
        if (string.IsNullOrWhiteSpace(name)) throw HttpDoorException.BadRequest("Each tool's function needs a 'name'.", "tools");
        var parameters = function.Get("parameters");
        if (parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            throw HttpDoorException.BadRequest($"The parameters of tool '{name}' must be a JSON Schema object.", "tools");
        }
        return new ToolDefinition(name, function.String("description"), parameters is { ValueKind: JsonValueKind.Object } p ? p.Clone() : null);
    }

    /// <summary>tool_choice: "auto", "none", "required" or {"type": "function", "function": {"name": ...}} naming one of the tools.</summary>
    public static ToolChoice ReadToolChoice(JsonElement body, IReadOnlyList<ToolDefinition>? tools)
    {
        var choice = body.Get("tool_choice") switch
        {
            null or { ValueKind: JsonValueKind.Null } => ToolChoice.Auto,
            { ValueKind: JsonValueKind.String } mode => mode.GetString() switch
            {
                "auto" => ToolChoice.Auto,
                "none" => ToolChoice.None,
                "required" => ToolChoice.Required,
                var other => throw HttpDoorException.BadRequest($"'tool_choice' is '{other}'; use auto, none, required or {{\"type\": \"function\", \"function\": {{\"name\": ...}}}}.", "tool_choice"),
            },
            { ValueKind: JsonValueKind.Object } named when named.String("type") == "function" && named.Get("function")?.String("name") is { } name =>
                new ToolChoice(ToolChoiceMode.Named, name),
            _ => throw HttpDoorException.BadRequest("'tool_choice' must be auto, none, required or {\"type\": \"function\", \"function\": {\"name\": ...}}.", "tool_choice"),
        };
        if (choice.Mode == ToolChoiceMode.Named && tools?.Any(t => t.Name == choice.Name) != true)
        {
            throw HttpDoorException.BadRequest(
                $"'tool_choice' names the function '{choice.Name}', which is not among the tools ({string.Join(", ", tools?.Select(t => t.Name) ?? [])}).", "tool_choice");
        }
        if (choice.Mode == ToolChoiceMode.Required && tools is not { Count: > 0 })
        {
            throw HttpDoorException.BadRequest("'tool_choice' is required but the request has no tools.", "tool_choice");
        }
        // One call per answer is what a required or named choice enforces; with auto the model may make several.
        if (body.Boolean("parallel_tool_calls") == false && tools is { Count: > 0 } && choice.Mode is ToolChoiceMode.Auto)
        {
            throw HttpDoorException.BadRequest(
                "'parallel_tool_calls' false is enforced with tool_choice required or a named function (one call); with auto the model may make several.",
                "parallel_tool_calls");
        }
        return choice;
    }

    /// <summary>An assistant message's tool_calls: [{id, type: "function", function: {name, arguments}}], arguments as JSON text.</summary>
    public static IReadOnlyList<ToolCall>? ReadToolCalls(JsonElement message)
    {
        if (message.Get("tool_calls") is not { } calls || calls.ValueKind == JsonValueKind.Null) return null;
        if (calls.ValueKind != JsonValueKind.Array) throw JsonFields.WrongType("tool_calls", "an array of {id, type, function: {name, arguments}}");
        return [.. calls.EnumerateArray().Select(call =>
        {
            JsonFields.RequireObject(call, "Each tool call");
            if (call.Get("function") is not { ValueKind: JsonValueKind.Object } function || string.IsNullOrEmpty(function.String("name")))
            {
                throw HttpDoorException.BadRequest("Each tool call needs a 'function' with a 'name'.", "messages");
            }
            var arguments = function.Get("arguments") switch
            {
                null or { ValueKind: JsonValueKind.Null } => "{}",
                { ValueKind: JsonValueKind.String } text => text.GetString()!,
                { ValueKind: JsonValueKind.Object } json => json.GetRawText(),
                _ => throw HttpDoorException.BadRequest("A tool call's 'arguments' must be a string of JSON.", "messages"),
            };
            return new ToolCall(call.String("id") ?? "", function.String("name")!, arguments);
        })];
    }
}
