using System.ComponentModel.DataAnnotations;
using MlStack.Inference.Security;

namespace MlStack.Inference.UnitTests.Security;

/// <summary>The key settings as validated at start: a key, or an explicit word that the platform authenticates callers.</summary>
public sealed class InferenceKeyOptionsTests
{
    private static List<string> Errors(InferenceKeyOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return [.. results.Select(r => r.ErrorMessage ?? "")];
    }

    [Fact]
    public void No_api_key_is_refused_and_the_message_names_the_way_out_for_platforms()
    {
        var error = Assert.Single(Errors(new InferenceKeyOptions()));

        Assert.Contains("Inference:ApiKey is required", error);
        Assert.Contains("Inference:RequireApiKey=false", error);
    }

    [Fact]
    public void A_short_api_key_is_refused_even_when_none_is_required()
    {
        Assert.Contains("at least 16", Assert.Single(Errors(new InferenceKeyOptions { ApiKey = "short" })));
        Assert.Contains("at least 16", Assert.Single(Errors(new InferenceKeyOptions { ApiKey = "short", RequireApiKey = false })));
    }

    [Fact]
    public void A_platform_that_authenticates_callers_needs_no_key_when_it_says_so()
    {
        Assert.Empty(Errors(new InferenceKeyOptions { RequireApiKey = false }));
        Assert.Empty(Errors(new InferenceKeyOptions { ApiKey = "a-key-of-sixteen-chars" }));
    }
}
