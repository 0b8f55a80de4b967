using System.ComponentModel.DataAnnotations;
using MlStack.Inference.Generation;

namespace MlStack.Inference.UnitTests.Generation.PrefixCaching;

/// <summary>The prefix cache's settings as the start-up validation sees them (data annotations on GenerationOptions).</summary>
public sealed class PrefixCacheSettingsTests
{
    [Fact]
    public void Prefix_caching_is_on_by_default_with_valid_settings()
    {
        var options = new GenerationOptions();

        Assert.True(options.PrefixCaching);
        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData(0, 1024L)]
    [InlineData(1025, 1024L)]
    [InlineData(16, 0L)]
    [InlineData(16, -1L)]
    public void A_block_size_or_budget_out_of_range_is_refused_naming_the_setting(int blockTokens, long bytes)
    {
        var errors = Validate(new GenerationOptions { PrefixCacheBlockTokens = blockTokens, PrefixCacheBytes = bytes });

        var error = Assert.Single(errors);
        Assert.Contains(blockTokens is < 1 or > 1024 ? nameof(GenerationOptions.PrefixCacheBlockTokens) : nameof(GenerationOptions.PrefixCacheBytes),
            error.MemberNames);
    }

    private static List<ValidationResult> Validate(GenerationOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
