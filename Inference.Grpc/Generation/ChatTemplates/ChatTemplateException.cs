namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>A chat template that cannot be parsed or rendered (outside the supported subset, or refused).</summary>
public sealed class ChatTemplateException(string message) : Exception(message);
