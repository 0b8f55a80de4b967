namespace MlStack.Inference.HttpDoors.SageMaker;

/// <summary>The "SageMaker" section: the SageMaker real-time endpoint contract.</summary>
public sealed class SageMakerOptions
{
    public const string SectionName = "SageMaker";

    /// <summary>Where SageMaker unpacks the model artifact; served as the model repository when the folder exists.</summary>
    public string ModelDirectory { get; set; } = "/opt/ml/model";

    /// <summary>
    /// The model /invocations serves (name or name:version); empty: the default generator for a string "inputs", the
    /// default embedding model for an array of strings.
    /// </summary>
    public string? Model { get; set; }
}
