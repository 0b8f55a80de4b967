using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace MlStack.AppHost.Publishing.Yaml;

/// <summary>
/// Double-quotes every string that is not an unambiguous plain word, so no value changes type when a YAML 1.1 reader
/// reads it back. YamlDotNet's own WithQuotingNecessaryStrings knows YAML 1.2 and the 1.1 booleans, but
/// docker-compose 1.29 (PyYAML) also reads e.g. "1:30" as a base-60 number; quoting by a positive rule (letters,
/// digits and "_./-", starting with a letter, '_' or '/') leaves no such case to know about.
/// </summary>
public sealed partial class StringTypeKeepingEmitter(IEventEmitter next) : ChainedEventEmitter(next)
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    };

    public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
    {
        if (eventInfo.Source.Value is string text && NeedsQuotes(text))
        {
            eventInfo.Style = ScalarStyle.DoubleQuoted;
        }
        base.Emit(eventInfo, emitter);
    }

    /// <summary>True unless the string is an unambiguous plain word, which every YAML reader reads back as that string.</summary>
    public static bool NeedsQuotes(string text) => !PlainWord().IsMatch(text) || Reserved.Contains(text);

    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainWord();
}
