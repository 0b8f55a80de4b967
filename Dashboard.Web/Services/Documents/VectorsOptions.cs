using System.ComponentModel.DataAnnotations;

namespace MlStack.Dashboard.Services.Documents;

/// <summary>The vector store's API key (Vectors:ApiKey). It stays in this process: pages call the store through the server.</summary>
public sealed class VectorsOptions
{
    public const string SectionName = "Vectors";

    [Required(ErrorMessage = "Vectors:ApiKey is required: the vector store refuses calls without its API key.")]
    public string ApiKey { get; set; } = "";
}
