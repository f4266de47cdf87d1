import Foundation
import NNI
import Pipeline
import SystemIO
import Tuner

/// A `tune` stage's options (`with:`), read once by the one parser that `optionDependencies`,
/// `validate` and `run` share; with `nni_config`, what the NNI config file says under what `with:` says.
struct TuneOptions {
    /// Where the search space is: a file (read when the stage runs: an earlier stage may write it),
    /// the mapping written inline, or the JSON text of an NNI config's inline `searchSpace`.
    enum SpaceSource {
        case file(String)
        case inline([String: ConfigValue])
        case json(String, source: String)
    }

    var space: SpaceSource?
    var tuner = TunerKind.auto
    var maxTrials = 20
    /// Seconds after which no trial starts.
    var maxDuration: Double?
    /// An NNI config file (v1 or v2) whose settings apply where `with:` says nothing.
    var nniConfig: String?
    /// The evolution tuner's population (an NNI config's `population_size`).
    var evolutionPopulation: Int?
    /// Sweep and tune stage folders whose trials the tuner starts from.
    var warmStart: [String] = []
    /// Hyperband's and BOHB's budgets (`min_budget`, `max_budget`, `eta`, `exec_mode`).
    var fidelity = FidelityOptions()
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
        nniConfig = reader.string("nni_config", &problems)
        warmStart = reader.folders("warm_start", what: "sweep or tune stage folders", &problems)
        fidelity.minBudget = reader.number("min_budget", positive: true, &problems)
        fidelity.maxBudget = reader.number("max_budget", positive: true, &problems)
        fidelity.eta = reader.int("eta", minimum: 2, &problems)
        if let mode: ExecMode = reader.choice("exec_mode", &problems) { fidelity.serial = mode == .serial }
        if with["tuner"] != nil, !tuner.isMultiFidelity,
           let option = ["min_budget", "max_budget", "eta", "exec_mode"].first(where: { with[$0] != nil }) {
            problems.append(.init(option: option, message: "is for the hyperband and bohb tuners, not \(tuner.rawValue)"))
        }
        if nniConfig != nil, with["data"] == nil, with["trial_command"] == nil { trials.data = nil }
        switch with["search_space"] {
        case nil where nniConfig != nil:
            break
        case nil:
            problems.append(.init(option: "search_space", message: "is required: a search_space.json file (NNI's format) or the same mapping inline"
                                  + " (or nni_config: an NNI config file)"))
        case .string(let path)?:
            space = .file(path)
        case .object(let fields)?:
            space = .inline(fields)
        case let other?:
            problems.append(.init(option: "search_space", message: "must be a file name or a mapping, found \(other.typeName)"))
        }
    }

    /// NNI's `exec_mode`: brackets side by side, or one after another.
    enum ExecMode: String, CaseIterable { case parallelism, serial }

    init(_ with: [String: ConfigValue]) {
        var ignored: [StageOptionProblem] = []
        self.init(with, problems: &ignored)
    }

    /// These options with the NNI config's settings where `with` gives none; `say` receives the lines
    /// that name the direction used and the keys ignored.
    func applying(_ config: NNIExperimentConfig, with: [String: ConfigValue], fileSystem: any FileSystem,
                  say: (String) -> Void) throws -> TuneOptions {
        var merged = self
        if with["search_space"] == nil {
            switch config.searchSpace {
            case .file(let path)?: merged.space = .file(path)
            case .inline(let json)?: merged.space = .json(json, source: config.file + ": searchSpace")
            case nil: throw StageFailure("with.nni_config: \(config.file) has no searchSpaceFile; give it, or with.search_space")
            }
        }
        if with["tuner"] == nil, let tuner = config.tuner { merged.tuner = tuner }
        if with["max_trials"] == nil {
            guard let maximum = config.maxTrialNumber else {
                throw StageFailure("with.nni_config: \(config.file) has no maxTrialNumber (maxTrialNum in v1): labmake needs a budget; give it, or with.max_trials")
            }
            merged.maxTrials = maximum
        }
        if with["max_duration"] == nil { merged.maxDuration = config.maxExperimentDuration }
        merged.fidelity = fidelity.over(config.fidelity)
        merged.evolutionPopulation = config.populationSize
        if with["trial_command"] == nil, with["data"] == nil {
            guard let command = config.trialCommand else {
                throw StageFailure("with.nni_config: \(config.file) has no trialCommand; give it, or with.trial_command")
            }
            merged.trials.trialCommand = command
        }
        merged.trials.codeDirectory = config.trialCodeDirectory
        merged.trials.environment = config.trialEnvironment
        merged.trials.shell = NNITrialProtocol.shell(fileSystem: fileSystem)
        if with["concurrency"] == nil, let concurrency = config.trialConcurrency { merged.trials.concurrency = concurrency }
        if with["trial_timeout"] == nil { merged.trials.trialTimeout = config.maxTrialDuration }
        if with["assessor"] == nil { merged.trials.assessor = config.assessor }
        if with["assessor_start_step"] == nil { merged.trials.assessorStartStep = config.assessorStartStep }
        if with["seed"] == nil, let seed = config.seed { merged.trials.seed = Int(clamping: seed) }
        if with["direction"] == nil { merged.trials.direction = config.direction }
        if let notice = config.ignoredNotice { say("note: " + notice) }
        say(config.summary(tuner: merged.tuner, direction: merged.trials.direction, directionSource: with["direction"] == nil ? nil : "with.direction",
                           assessor: merged.trials.assessor, startStep: merged.trials.assessorStartStep))
        return merged
    }
}
