using System.ComponentModel.DataAnnotations;

namespace MlStack.Dashboard.Services.SignIn;

/// <summary>
/// Sign-in with one access key (Dashboard:AccessKey, from the AppHost's generated secret parameter
/// dashboard-access-key). Dashboard:RequireSignIn=false turns it off; the AppHost allows that only in the local run.
/// </summary>
public sealed class SignInOptions : IValidatableObject
{
    public const string SectionName = "Dashboard";
    public const int MinimumKeyLength = 16;

    public bool RequireSignIn { get; set; } = true;

    public string? AccessKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequireSignIn && (AccessKey?.Length ?? 0) < MinimumKeyLength)
        {
            yield return new ValidationResult(
                $"Dashboard:AccessKey must have at least {MinimumKeyLength} characters while Dashboard:RequireSignIn is true.",
                [nameof(AccessKey)]);
        }
    }
}
