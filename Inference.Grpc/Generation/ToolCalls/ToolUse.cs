using MlStack.Inference.Errors;
using MlStack.Inference.Repository;
using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// What a request's tools do to its generation: the tools its chat template shows (none for tool_choice none), and
/// for a required or named choice the constraint that makes the output a call in the model's syntax. Refuses what
/// cannot be honoured: tools without messages, duplicate or empty names, a choice naming no tool, a model without a
/// tool-call syntax, a response format beside tools on auto. A required or named call wins over a response format:
/// the answer is the call, and has no text to format.
/// </summary>
public sealed record ToolUse(List<object?>? TemplateTools, OutputConstraint? Constraint)
{
    public static readonly ToolUse NoTools = new(null, null);

    public static ToolUse Resolve(GeneratorModel model, GenerationRequest request)
    {
        var tools = request.Tools ?? [];
        var choice = request.ToolChoice;
        if (tools.Count == 0)
        {
            return choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Named
                ? throw InferenceException.Invalid($"tool_choice is '{Describe(choice)}' but the request has no tools.")
                : NoTools;
        }
        if (request.Messages is null)
        {
            throw InferenceException.Invalid("tools need chat messages: the model's chat template shows them to it.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (string.IsNullOrWhiteSpace(tool.Name)) throw InferenceException.Invalid("Every tool needs a function name.");
            if (!names.Add(tool.Name)) throw InferenceException.Invalid($"Two tools are named '{ServingErrors.Shorten(tool.Name)}'; names must be unique.");
        }
        if (choice.Mode == ToolChoiceMode.Named && !names.Contains(choice.Name ?? ""))
        {
            throw InferenceException.Invalid(
                $"tool_choice names the function '{ServingErrors.Shorten(choice.Name ?? "")}', which is not among the tools ({string.Join(", ", names)}).");
        }
        if (choice.Mode == ToolChoiceMode.None) return NoTools;
        if (choice.Mode == ToolChoiceMode.Auto && request.Constraint is not null)
        {
            // The answer would have to be either a call or the format's JSON: one constraint cannot say that.
            throw InferenceException.Invalid(
                "response_format with tools on tool_choice auto is not supported: send tool_choice none for a formatted answer, or required for a call.");
        }
        var parser = model.ToolCalls ?? throw InferenceException.Invalid(
            $"Model '{ServingErrors.Shorten(model.Name)}' takes no tools: its chat template does not show them, or its tool-call syntax is not " +
            "known (set tool_call_parser in its model.json: hermes, llama3_json, mistral or gpt_oss).");
        var constraint = choice.Mode is ToolChoiceMode.Required or ToolChoiceMode.Named ? parser.Constraint(tools, choice) : null;
        return new ToolUse([.. tools.Select(t => t.ToTemplateValue())], constraint);
    }

    private static string Describe(ToolChoice choice) => choice.Mode == ToolChoiceMode.Named ? choice.Name ?? "" : choice.Mode.ToString().ToLowerInvariant();
}
