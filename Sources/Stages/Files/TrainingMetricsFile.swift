import Training

/// `metrics.json`, written by a `train` stage: Training's ``TrainingResult``, per-epoch metrics and the
/// final accuracy.
struct TrainingMetricsFile: StageFile {
    static let fileName = "metrics.json"
    static let writtenBy = "a train stage"

    var result: TrainingResult

    init(from decoder: any Decoder) throws { result = try TrainingResult(from: decoder) }

    func encode(to encoder: any Encoder) throws { try result.encode(to: encoder) }
}
