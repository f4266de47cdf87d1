import Tuner

/// What an NNI config file (v1 or v2) asks of an experiment, in labmake's terms. Paths are absolute,
/// resolved against the config file's folder as NNI resolves them.
public struct NNIExperimentConfig: Sendable {
    /// Where the search space is.
    public enum SearchSpaceSource: Sendable, Equatable {
        /// `searchSpaceFile` (v1 `searchSpacePath`).
        case file(String)
        /// `searchSpace`, written in the config, as JSON text.
        case inline(String)
    }

    /// The config file.
    public var file: String
    /// 1 or 2.
    public var version: Int
    /// `experimentName`: a label, put in front of the experiment's digest.
    public var experimentName: String?
    public var searchSpace: SearchSpaceSource?
    /// `trialCommand` (v1 `trial.command`).
    public var trialCommand: String?
    /// `trialCodeDirectory` (v1 `trial.codeDir`): where trials run; the config's folder by default.
    public var trialCodeDirectory: String
    public var trialConcurrency: Int?
    /// `maxTrialNumber` (v1 `maxTrialNum`).
    public var maxTrialNumber: Int?
    /// `maxExperimentDuration` (v1 `maxExecDuration`), in seconds.
    public var maxExperimentDuration: Double?
    /// `maxTrialDuration`, in seconds.
    public var maxTrialDuration: Double?
    public var tuner: TunerKind?
    /// The tuner's `classArgs.seed`.
    public var seed: UInt64?
    /// Evolution's `classArgs.population_size`.
    public var populationSize: Int?
    /// Hyperband's or BOHB's budgets, from the advisor's `classArgs`.
    public var fidelity = FidelityOptions()
    /// The direction, from the tuner's or the assessor's `optimize_mode`, or NNI's default for the tuner.
    public var direction: Direction
    /// Where ``direction`` came from, for the line that says which direction is used.
    public var directionSource: String
    public var assessor: Assessor
    /// Medianstop's `classArgs.start_step`.
    public var assessorStartStep: Int
    /// Variables every trial gets: `CUDA_VISIBLE_DEVICES` from `gpuIndices` or `trialGpuNumber: 0`.
    public var trialEnvironment: [String: String]
    /// Keys read and ignored because they change nothing in labmake, with where they are (`authorName (1:1)`).
    public var ignored: [String]

    /// The line that says what an experiment from this file runs with, once options have overridden it:
    /// `config.yml: tpe tuner, maximize (the tuner's optimize_mode), medianstop assessor from step 2`.
    public func summary(tuner: TunerKind, direction: Direction, directionSource: String?, assessor: Assessor, startStep: Int) -> String {
        "\(file): \(tuner.rawValue) tuner, \(direction.rawValue) (\(directionSource ?? self.directionSource))"
            + (assessor == .none ? "" : ", \(assessor.rawValue) assessor from step \(startStep)")
    }

    /// The one line that names what was ignored; nil when nothing was.
    public var ignoredNotice: String? {
        ignored.isEmpty ? nil : "\(file): ignored (no effect in labmake): " + ignored.joined(separator: ", ")
    }
}
