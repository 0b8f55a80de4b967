using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using MlStack.Dashboard.Services.AppData;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// The OpenAI-compatible endpoints: the configured ones plus those added on the page, which are kept in the data
/// folder with their API keys encrypted by ASP.NET Core Data Protection.
/// </summary>
public sealed class ChatEndpointStore(AppDataFolder data, IDataProtectionProvider protection, IOptions<ChatEndpointOptions> options)
{
    public const string FileName = "chat-endpoints.json";

    private readonly IDataProtector _protector = protection.CreateProtector("MlStack.Dashboard.ChatEndpoints.ApiKey");
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IReadOnlyList<ChatEndpoint>> ListAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.ChatEndpoints.Select(e => Copy(e, fromConfiguration: true));
        return [.. configured, .. await ReadSavedAsync(cancellationToken)];
    }

    public async Task<ChatEndpoint?> FindAsync(string name, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    public async Task AddAsync(ChatEndpoint endpoint, CancellationToken cancellationToken)
    {
        var problems = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(endpoint, new(endpoint), problems, validateAllProperties: true))
        {
            throw new ArgumentException(string.Join(" ", problems.Select(p => p.ErrorMessage)));
        }
        if (endpoint.BaseAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The base address must be an absolute http or https URL, e.g. http://localhost:11434/v1.");
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if ((await ListAsync(cancellationToken)).Any(e => string.Equals(e.Name, endpoint.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ArgumentException($"An endpoint named '{endpoint.Name}' exists already.");
            }
            var saved = await ReadSavedAsync(cancellationToken);
            saved.Add(Copy(endpoint, fromConfiguration: false));
            await WriteAsync(saved, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var saved = await ReadSavedAsync(cancellationToken);
            saved.RemoveAll(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
            await WriteAsync(saved, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<List<ChatEndpoint>> ReadSavedAsync(CancellationToken cancellationToken)
    {
        var path = data.File(FileName);
        if (!File.Exists(path))
        {
            return [];
        }
        var stored = JsonSerializer.Deserialize<List<StoredEndpoint>>(await File.ReadAllTextAsync(path, cancellationToken)) ?? [];
        return [.. stored.Select(s => new ChatEndpoint
        {
            Name = s.Name,
            BaseAddress = s.BaseAddress,
            Model = s.Model,
            ApiKey = s.ProtectedApiKey is { Length: > 0 } key ? _protector.Unprotect(key) : null,
        })];
    }

    private Task WriteAsync(List<ChatEndpoint> endpoints, CancellationToken cancellationToken)
    {
        var stored = endpoints.Select(e => new StoredEndpoint(e.Name, e.BaseAddress!, e.Model,
            string.IsNullOrEmpty(e.ApiKey) ? null : _protector.Protect(e.ApiKey)));
        return data.WriteAllTextAtomicallyAsync(FileName, JsonSerializer.Serialize(stored), cancellationToken);
    }

    private static ChatEndpoint Copy(ChatEndpoint e, bool fromConfiguration) => new()
    {
        Name = e.Name.Trim(),
        BaseAddress = e.BaseAddress,
        Model = e.Model.Trim(),
        ApiKey = string.IsNullOrWhiteSpace(e.ApiKey) ? null : e.ApiKey,
        FromConfiguration = fromConfiguration,
    };

    private sealed record StoredEndpoint(string Name, Uri BaseAddress, string Model, string? ProtectedApiKey);
}
