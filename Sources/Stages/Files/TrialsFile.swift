import Tuner

/// `trials.json`, written by a `sweep` or `tune` stage: every trial of its experiment, one per line.
struct TrialsFile: StageFile, Equatable {
    static let fileName = "trials.json"
    static let writtenBy = "a sweep or tune stage"

    /// One trial as the report and people read it.
    struct Entry: Codable, Equatable {
        var number: Int
        /// SHA-256 of what the trial ran and its parameters.
        var key: String
        var status: TrialStatus
        var parameters: [String: ParameterValue]
        var intermediates: [Double]
        /// Whether the result was taken from an earlier trial with the same key.
        var reused: Bool
        var metric: Double?
        var seconds: Double?
        var error: String?
        /// A sweep's name for the trial: `baseline`, `initial_lr=0.01`, `combination 1`.
        var label: String?
        /// The parameter a one-at-a-time sweep varied in this trial.
        var parameter: String?
        /// Intermediate results reported past the number kept, and not kept.
        var droppedIntermediates: Int? = nil

        enum CodingKeys: String, CodingKey {
            case number, key, status, parameters, intermediates, reused, metric, seconds, error, label, parameter
            case droppedIntermediates = "dropped_intermediates"
        }
    }

    var trials: [Entry]

    init(trials: [Entry]) { self.trials = trials }

    init(from decoder: any Decoder) throws { trials = try [Entry](from: decoder) }

    func encode(to encoder: any Encoder) throws { try trials.encode(to: encoder) }

    /// One trial per line, so that the file reads and diffs well.
    func text() throws -> String {
        "[\n" + (try trials.map(StageFileCoding.text)).joined(separator: ",\n") + "\n]\n"
    }
}
