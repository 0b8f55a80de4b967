using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlStack.AppHost.Publishing.ModelEndpoints;

/// <summary>Request bodies for the AWS CLI and the Vertex AI REST API: indented, '$' and quotes left readable.</summary>
public static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Write(JsonNode document) => document.ToJsonString(Options).ReplaceLineEndings("\n") + "\n";
}
