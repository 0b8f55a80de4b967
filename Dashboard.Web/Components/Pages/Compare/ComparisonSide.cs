using MlStack.Dashboard.Services.Chat;

namespace MlStack.Dashboard.Components.Pages.Compare;

/// <summary>One side of a comparison: the chosen backend and its answer as it streams.</summary>
public sealed class ComparisonSide(string label)
{
    public string Label { get; } = label;

    public string? BackendId { get; set; }

    public ConversationMessage Answer { get; set; } = new() { Role = "assistant" };

    public bool Streaming { get; set; }
}
