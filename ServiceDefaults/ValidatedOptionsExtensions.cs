using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to a configuration section and checks its data annotations when the
    /// host starts, so a bad setting stops the service at once with the setting's name instead of failing a request.
    /// </summary>
    /// <param name="name">A named options instance (e.g. an authentication scheme's); null for the default one.</param>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IHostApplicationBuilder builder, string section, string? name = null)
        where TOptions : class =>
        builder.Services.AddOptions<TOptions>(name ?? Options.Options.DefaultName)
            .Bind(builder.Configuration.GetSection(section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
}
