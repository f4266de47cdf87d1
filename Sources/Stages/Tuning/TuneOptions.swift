import Pipeline
import Tuner

/// A `tune` stage's options (`with:`), read once by the one parser that `optionDependencies`,
/// `validate` and `run` share.
struct TuneOptions {
    /// Where the search space is: a file (read when the stage runs: an earlier stage may write it) or
    /// the mapping written inline.
    enum SpaceSource {
        case file(String)
        case inline([String: ConfigValue])
    }

    var space: SpaceSource?
    var tuner = TunerKind.tpe
    var maxTrials = 20
    /// Seconds after which no trial starts.
    var maxDuration: Double?
    /// What each trial runs and how trials are run.
    var trials: TrialOptions

    /// Reads `with`, adding a problem for each malformed or missing option.
    init(_ with: [String: ConfigValue], problems: inout [StageOptionProblem]) {
        trials = TrialOptions(with, problems: &problems)
        let reader = OptionReader(with)
        if let name = reader.string("tuner", &problems) {
            do {
                tuner = try TunerKind(name: name)
            } catch {
                problems.append(.init(option: "tuner", message: "\(error)"))
            }
        }
        maxTrials = reader.int("max_trials", minimum: 1, &problems) ?? 20
        maxDuration = reader.number("max_duration", positive: true, &problems)
        switch with["search_space"] {
        case nil:
            problems.append(.init(option: "search_space", message: "is required: a search_space.json file (NNI's format) or the same mapping inline"))
        case .string(let path)?:
            space = .file(path)
        case .object(let fields)?:
            space = .inline(fields)
        case let other?:
            problems.append(.init(option: "search_space", message: "must be a file name or a mapping, found \(other.typeName)"))
        }
    }

    init(_ with: [String: ConfigValue]) {
        var ignored: [StageOptionProblem] = []
        self.init(with, problems: &ignored)
    }
}
