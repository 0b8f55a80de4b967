using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using MlStack.Dashboard.Services.SignIn;

namespace MlStack.Dashboard.UnitTests.SignIn;

public sealed class SignInTests
{
    [Fact]
    public void Sign_in_on_needs_a_key_of_at_least_16_characters()
    {
        Assert.NotEmpty(Validate(new SignInOptions { RequireSignIn = true, AccessKey = "short" }));
        Assert.NotEmpty(Validate(new SignInOptions { RequireSignIn = true }));
        Assert.Empty(Validate(new SignInOptions { RequireSignIn = true, AccessKey = new string('k', 16) }));
        Assert.Empty(Validate(new SignInOptions { RequireSignIn = false }));
    }

    [Fact]
    public void Only_the_configured_key_is_accepted()
    {
        var verifier = new AccessKeyVerifier(Options.Create(new SignInOptions { AccessKey = "correct-horse-battery-staple" }));
        Assert.True(verifier.IsValid("correct-horse-battery-staple"));
        Assert.False(verifier.IsValid("correct-horse-battery-stapl"));
        Assert.False(verifier.IsValid(""));
        Assert.False(verifier.IsValid(null));
        Assert.False(new AccessKeyVerifier(Options.Create(new SignInOptions())).IsValid(""));
    }

    private static List<ValidationResult> Validate(SignInOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
