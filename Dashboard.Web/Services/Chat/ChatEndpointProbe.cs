using System.Net.Http.Headers;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// Checks an endpoint before it is saved: GET {base}/models, as every OpenAI-compatible server answers, with a short
/// timeout. A problem is a warning the page shows; the person may save the endpoint anyway.
/// </summary>
public sealed class ChatEndpointProbe(IHttpClientFactory httpClients, ILogger<ChatEndpointProbe> logger)
{
    /// <summary>Null when the endpoint answered and lists the model (or lists none at all); otherwise what is wrong, in a sentence.</summary>
    public async Task<string?> CheckAsync(ChatEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (endpoint.BaseAddress is not { } address)
        {
            return "The endpoint has no base URL.";
        }
        var models = new Uri(address.ToString().TrimEnd('/') + "/models");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ChatLimits.EndpointCheckTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, models);
            if (!string.IsNullOrEmpty(endpoint.ApiKey))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", endpoint.ApiKey);
            }
            using var response = await httpClients.CreateClient(ChatClientFactory.EndpointHttpClientName).SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                return $"GET {models} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.";
            }
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return body.Contains("\"data\"", StringComparison.Ordinal) && !body.Contains($"\"{endpoint.Model.Trim()}\"", StringComparison.Ordinal)
                ? $"The endpoint answered, but does not list the model '{endpoint.Model.Trim()}'."
                : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"GET {models} did not answer within {ChatLimits.EndpointCheckTimeout.TotalSeconds:0} s.";
        }
        catch (HttpRequestException ex)
        {
            logger.LogInformation("Endpoint check of {Address} failed: {Message}", models, ex.Message);
            return $"GET {models} failed: {ex.Message}";
        }
    }
}
