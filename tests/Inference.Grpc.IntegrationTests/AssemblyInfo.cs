// One server at a time: each test server is a whole Inference.Grpc host, and OpenTelemetry listens to every
// "MlStack.*" meter in the process, so two live hosts would mix their metrics. It also suits 2-core CI machines.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
