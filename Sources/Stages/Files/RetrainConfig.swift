import Tuner

/// `config.json`, written by a `train` stage: the settings it trained with and where they came from.
/// `metrics.json` beside it is Training's `TrainingResult`.
struct RetrainConfig: StageFile, Equatable {
    static let fileName = "config.json"
    static let writtenBy = "a train stage"

    /// Where the settings came from: the pipeline's parameters, or the best trial of sweep or tune stages.
    enum Origin: Codable, Equatable {
        case params
        case trial(stage: String, trial: Int, metric: Double)

        private enum Keys: String, CodingKey { case stage, trial, metric }

        init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self), text == "params" {
                self = .params
                return
            }
            let c = try decoder.container(keyedBy: Keys.self)
            self = .trial(stage: try c.decode(String.self, forKey: .stage), trial: try c.decode(Int.self, forKey: .trial),
                          metric: try c.decode(Double.self, forKey: .metric))
        }

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .params:
                var c = encoder.singleValueContainer()
                try c.encode("params")
            case .trial(let stage, let trial, let metric):
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(stage, forKey: .stage)
                try c.encode(trial, forKey: .trial)
                try c.encode(metric, forKey: .metric)
            }
        }
    }

    var parameters: [String: ParameterValue]
    var from: Origin
    /// The split the final accuracy is measured on: `test`.
    var evaluatedOn: String

    enum CodingKeys: String, CodingKey {
        case parameters, from
        case evaluatedOn = "evaluated_on"
    }
}
