using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MlStack.ServiceDefaults.UnitTests;

public sealed class ValidatedOptionsTests
{
    public sealed class SampleOptions
    {
        [Range(1, 10)]
        public int Size { get; set; } = 5;

        public SampleMode Mode { get; set; } = SampleMode.Auto;
    }

    public enum SampleMode { Auto, Fast }

    private static IHost Build(Dictionary<string, string?> settings, string? name = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddValidatedOptions<SampleOptions>("Sample", name);
        return builder.Build();
    }

    [Fact]
    public void Binds_the_section_including_enums_case_insensitively()
    {
        using var host = Build(new() { ["Sample:Size"] = "7", ["Sample:Mode"] = "fast" });

        var options = host.Services.GetRequiredService<IOptions<SampleOptions>>().Value;

        Assert.Equal((7, SampleMode.Fast), (options.Size, options.Mode));
    }

    [Fact]
    public async Task A_setting_out_of_range_stops_the_host_at_start_naming_the_setting()
    {
        using var host = Build(new() { ["Sample:Size"] = "42" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Size", error.Message);
    }

    [Fact]
    public async Task A_named_instance_is_validated_at_start_too()
    {
        using var host = Build(new() { ["Sample:Size"] = "0" }, name: "scheme");

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal(5, host.Services.GetRequiredService<IOptions<SampleOptions>>().Value.Size);
    }
}
