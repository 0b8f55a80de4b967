namespace MlStack.AppHost.Publishing.ModelEndpoints;

/// <summary>
/// What SageMaker and Vertex AI expect of the one inference image, and what the descriptors promise them. The
/// service implements the HTTP side; the image carries SageMaker's label (Inference.Grpc/Dockerfile).
/// </summary>
public static class ModelEndpointContract
{
    /// <summary>The port both platforms send to unless told otherwise: MlStack's first project port.</summary>
    public const int HttpPort = DeploymentModelReader.FirstProjectPort;

    /// <summary>
    /// The image label by which SageMaker passes SAGEMAKER_BIND_TO_PORT (and SAGEMAKER_SAFE_PORT_RANGE) instead of
    /// requiring port 8080.
    /// </summary>
    public const string SageMakerBindToPortLabel = "com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true";

    /// <summary>SageMaker starts the container as `docker run IMAGE serve`.</summary>
    public const string SageMakerServeArgument = "serve";

    /// <summary>Where SageMaker unpacks ModelDataUrl; the service reads its models there when it exists.</summary>
    public const string SageMakerModelDirectory = "/opt/ml/model";

    /// <summary>
    /// Vertex AI sends health checks and predictions here (passed to the container as AIP_HEALTH_ROUTE and
    /// AIP_PREDICT_ROUTE). Own paths, so they never collide with the service's /health or SageMaker's /ping.
    /// </summary>
    public const string VertexHealthRoute = "/vertex/health";

    public const string VertexPredictRoute = "/vertex/predict";
}
