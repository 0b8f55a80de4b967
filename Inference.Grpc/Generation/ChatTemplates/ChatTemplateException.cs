namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>A chat template that cannot render a conversation (it used a value wrongly, or refused the messages).</summary>
public class ChatTemplateException(string message) : Exception(message);

/// <summary>A template that cannot be loaded: a syntax error or a construct outside what is supported, with its line and column.</summary>
public sealed class ChatTemplateSyntaxException(string message) : ChatTemplateException(message);

/// <summary>The template called raise_exception: it refuses this conversation; the message is the template's own.</summary>
public sealed class ChatTemplateRaisedException(string message) : ChatTemplateException(message);
