using System.Text;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>Where a loop stands after a node: running on, or told by {% break %} / {% continue %} to stop or skip.</summary>
internal enum LoopSignal { None, Break, Continue }

/// <summary>
/// The state of one render: the output, the variable scopes (globals first, one more per loop or macro call), the
/// clock strftime_now reads, and the bounds that keep a hostile or broken template from running away with memory or time.
/// </summary>
internal sealed class RenderContext
{
    public const int MaxOutputChars = 4 * 1024 * 1024;
    public const int MaxIterations = 1_000_000;
    public const int MaxCallDepth = 64;

    private int _iterations;

    public RenderContext(Dictionary<string, object?> globals, DateTimeOffset? now = null)
    {
        foreach (var name in Builtins.Names) globals.TryAdd(name, new GlobalFunction(name));
        Scopes = [globals];
        Now = now ?? DateTimeOffset.Now;
    }

    public StringBuilder Output { get; private set; } = new();
    public List<Dictionary<string, object?>> Scopes { get; private set; }
    public DateTimeOffset Now { get; }
    public LoopSignal Signal { get; set; }
    public int CallDepth { get; set; }

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

    /// <summary>Runs <paramref name="body"/> with its own scopes and output (a macro call), and returns what it wrote.</summary>
    public string Capture(List<Dictionary<string, object?>> scopes, Action body)
    {
        if (CallDepth >= MaxCallDepth) throw new ChatTemplateException($"macros nest deeper than {MaxCallDepth} calls");
        var (output, saved) = (Output, Scopes);
        Output = new StringBuilder();
        Scopes = scopes;
        CallDepth++;
        try
        {
            body();
            if (output.Length + Output.Length > MaxOutputChars) throw new ChatTemplateException($"the rendered prompt exceeds {MaxOutputChars} characters");
            return Output.ToString();
        }
        finally
        {
            CallDepth--;
            (Output, Scopes) = (output, saved);
        }
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
