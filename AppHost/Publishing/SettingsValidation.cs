using System.ComponentModel.DataAnnotations;
using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.Publishing;

/// <summary>
/// Publish settings are checked by their data annotations while the model is built, before any step runs: a bad
/// one ends publishing with one line naming it and exit code 1 (see <see cref="StackCannotStartException"/>).
/// </summary>
public static class SettingsValidation
{
    /// <summary>Throws one error naming the section and every broken setting.</summary>
    public static void ThrowIfInvalid(object settings, string sectionName)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true))
        {
            throw new StackCannotStartException($"{sectionName} is invalid: " + string.Join("; ", results.Select(r => r.ErrorMessage)));
        }
    }
}
