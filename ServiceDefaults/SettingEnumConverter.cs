using System.ComponentModel;
using System.Globalization;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Binds an enum-valued setting by member name, ignoring case ("CUDA", "cuda" and "Cuda" are one value), and
/// refuses anything else with the allowed names. The default enum converter would also take numbers ("1") and
/// flag lists ("auto,cuda") and bind them to some member. Put it on the enum:
/// <c>[TypeConverter(typeof(SettingEnumConverter&lt;TEnum&gt;))]</c>; the configuration binder wraps the refusal
/// in an error naming the setting, and <see cref="ValidatedOptionsExtensions.AddValidatedOptions{TOptions}"/>
/// makes it stop the service at start.
/// </summary>
public sealed class SettingEnumConverter<TEnum>() : EnumConverter(typeof(TEnum)) where TEnum : struct, Enum
{
    /// <summary>The values a setting may take, as operators write them: "auto, cuda, cpu".</summary>
    public static string AllowedValues { get; } = string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()));

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        if (value is not string text)
        {
            return base.ConvertFrom(context, culture, value);
        }
        var name = Enum.GetNames<TEnum>().FirstOrDefault(n => n.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new FormatException($"'{text}' is not one of: {AllowedValues}.");
        return Enum.Parse<TEnum>(name);
    }
}
