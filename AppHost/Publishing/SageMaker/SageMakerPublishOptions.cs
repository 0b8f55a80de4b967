using System.ComponentModel.DataAnnotations;

namespace MlStack.AppHost.Publishing.SageMaker;

/// <summary>SageMaker choices, bound from MlStack:Publish:SageMaker (appsettings, env or --MlStack:Publish:SageMaker:...).</summary>
public sealed class SageMakerPublishOptions
{
    public const string SectionName = "MlStack:Publish:SageMaker";

    /// <summary>Empty: chosen from the resource's GPU count (<see cref="SageMakerPublisher.DefaultInstanceType"/>).</summary>
    [RegularExpression(@"^ml\.[a-z0-9]+\.[a-z0-9]+$", ErrorMessage = "InstanceType must be a SageMaker instance type such as ml.g5.xlarge.")]
    public string? InstanceType { get; set; }

    /// <summary>SageMakerVariantInvocationsPerInstance target: invocations per instance per minute. Measure it (./mlstack bench) for your model.</summary>
    [Range(1, 1_000_000)]
    public int InvocationsPerInstanceTarget { get; set; } = 100;

    /// <summary>How long SageMaker waits for /ping to answer 200 after the container starts (models load first).</summary>
    [Range(60, 3600)]
    public int StartupHealthCheckTimeoutSeconds { get; set; } = 600;

    /// <summary>An s3:// model.tar.gz that SageMaker unpacks into /opt/ml/model; empty: the models in the image.</summary>
    [RegularExpression(@"^s3://[a-z0-9.\-]+/.+$", ErrorMessage = "ModelDataUrl must be an s3:// URL.")]
    public string? ModelDataUrl { get; set; }

    public void Validate() => SettingsValidation.ThrowIfInvalid(this, SectionName);
}
