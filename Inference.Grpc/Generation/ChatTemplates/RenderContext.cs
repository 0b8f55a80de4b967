using System.Text;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// The state of one render: the output, the variable scopes (globals first, one more per loop) and the bounds
/// that keep a hostile or broken template from running away with memory or time.
/// </summary>
internal sealed class RenderContext(Dictionary<string, object?> globals)
{
    public const int MaxOutputChars = 4 * 1024 * 1024;
    public const int MaxIterations = 1_000_000;

    private int _iterations;

    public StringBuilder Output { get; } = new();
    public List<Dictionary<string, object?>> Scopes { get; } = [globals];

    public object? Lookup(string name)
    {
        for (var i = Scopes.Count - 1; i >= 0; i--)
        {
            if (Scopes[i].TryGetValue(name, out var v)) return v;
        }
        return Undefined.Value;
    }

    public void Write(string text)
    {
        if (Output.Length + text.Length > MaxOutputChars)
        {
            throw new ChatTemplateException($"the rendered prompt exceeds {MaxOutputChars} characters");
        }
        Output.Append(text);
    }

    /// <summary>Counts one loop iteration of the whole render against <see cref="MaxIterations"/>.</summary>
    public void CountIteration()
    {
        if (++_iterations > MaxIterations)
        {
            throw new ChatTemplateException($"the template ran more than {MaxIterations} loop iterations");
        }
    }
}
