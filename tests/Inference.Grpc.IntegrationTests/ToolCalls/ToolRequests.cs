using System.Text.Json.Nodes;

namespace MlStack.Inference.IntegrationTests.ToolCalls;

/// <summary>The tool and the conversation the tool-call tests send.</summary>
internal static class ToolRequests
{
    public const string Question = "What is the weather in Paris?";

    public const string WeatherParameters =
        """{"type":"object","properties":{"location":{"type":"string"}},"required":["location"],"additionalProperties":false}""";

    public static JsonObject WeatherTool => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = "get_weather",
            ["description"] = "The current weather in a city",
            ["parameters"] = JsonNode.Parse(WeatherParameters),
        },
    };

    public static JsonObject TimeTool => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = "get_time", ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() } },
    };

    public static JsonObject Chat(JsonNode? toolChoice, bool stream = false, string model = ToolModelsHost.ToolModel) => new()
    {
        ["model"] = model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Question }),
        ["tools"] = new JsonArray(WeatherTool, TimeTool),
        ["tool_choice"] = toolChoice,
        ["temperature"] = 0,
        ["max_tokens"] = 60,
        ["stream"] = stream,
    };
}
