using System.Globalization;
using System.Text;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// The global functions templates may call, as transformers gives them: Jinja's namespace, range and dict, and
/// transformers' raise_exception (the template refuses the messages) and strftime_now (the server's local time,
/// formatted as Python's strftime). Nothing else is callable, so no .NET member is ever reachable from a template.
/// </summary>
internal static class Builtins
{
    public static readonly string[] Names = ["raise_exception", "namespace", "range", "dict", "strftime_now"];

    public static object? Call(string name, List<object?> args, Dictionary<string, object?> kwargs, RenderContext context)
    {
        switch (name)
        {
            case "raise_exception":
                throw new ChatTemplateRaisedException(Values.ToText(args.FirstOrDefault()));
            case "namespace":
            case "dict":
                Dictionary<string, object?> result = name == "namespace" ? new Namespace() : [];
                if (args.FirstOrDefault() is Dictionary<string, object?> initial)
                {
                    foreach (var (k, v) in initial) result[k] = v;
                }
                foreach (var (k, v) in kwargs) result[k] = v;
                return result;
            case "range":
                return Range(args);
            case "strftime_now":
                return Strftime(context.Now, Values.ToText(args.FirstOrDefault()));
        }
        throw new ChatTemplateException($"unknown function '{name}'");
    }

    private static List<object?> Range(List<object?> args)
    {
        var n = args.Select(a => (long)Values.ToNumber(a)).ToArray();
        var (start, stop, step) = n.Length switch
        {
            1 => (0L, n[0], 1L),
            2 => (n[0], n[1], 1L),
            3 => (n[0], n[1], n[2]),
            _ => throw new ChatTemplateException("range() takes 1 to 3 arguments"),
        };
        if (step == 0) throw new ChatTemplateException("range() step must not be zero");
        var count = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        if (count > RenderContext.MaxIterations) throw new ChatTemplateException("range() is too long");
        var list = new List<object?>();
        for (var i = 0L; i < count; i++) list.Add(start + i * step);
        return list;
    }

    /// <summary>Python's (glibc's) strftime for the directives templates use; "%-d" drops the padding as glibc does.</summary>
    public static string Strftime(DateTimeOffset time, string format)
    {
        var culture = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length)
            {
                sb.Append(format[i]);
                continue;
            }
            var c = format[++i];
            var unpadded = c == '-' && i + 1 < format.Length;
            if (unpadded) c = format[++i];
            string Num(int value, int width) => unpadded ? value.ToString(culture) : value.ToString(culture).PadLeft(width, '0');
            sb.Append(c switch
            {
                'Y' => time.Year.ToString(culture),
                'y' => Num(time.Year % 100, 2),
                'm' => Num(time.Month, 2),
                'd' => Num(time.Day, 2),
                'e' => time.Day.ToString(culture).PadLeft(2, ' '),
                'H' => Num(time.Hour, 2),
                'I' => Num(time.Hour % 12 == 0 ? 12 : time.Hour % 12, 2),
                'M' => Num(time.Minute, 2),
                'S' => Num(time.Second, 2),
                'j' => Num(time.DayOfYear, 3),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'b' or 'h' => time.ToString("MMM", culture),
                'B' => time.ToString("MMMM", culture),
                'a' => time.ToString("ddd", culture),
                'A' => time.ToString("dddd", culture),
                'F' => time.ToString("yyyy-MM-dd", culture),
                'T' => time.ToString("HH:mm:ss", culture),
                '%' => "%",
                _ => throw new ChatTemplateException($"strftime_now: the directive '%{c}' is not supported"),
            });
        }
        return sb.ToString();
    }
}
